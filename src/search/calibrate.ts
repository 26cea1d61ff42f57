// Host calibration: time the probe sweep on a host runtime, fit its coefficients, report predicted vs measured.
import { cpus, loadavg } from 'node:os';
import { buildGraph } from '../analyze/graph.ts';
import { fail } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { HOST_RUNTIMES, OP_KINDS, type Profile, type RuntimeModel, type RuntimeName } from '../core/schemas.ts';
import type { Graph, ModelBundle } from '../core/types.ts';
import { buildOnnxModel } from '../export/onnx-graph.ts';
import { describeOnnxRuntime, timeOnnxModel } from '../runtime/time-onnx.ts';
import { describeTfjs, initializeBundle, timeBundle, type TimingOptions } from '../runtime/time-tfjs.ts';
import { calibrationProbes, type Probe } from './calibration-probes.ts';
import { fitCoefficients, residualsOf, type FitSample } from './fit-latency.ts';
import { describeWork, type Fusion, type LayerWork } from './layer-work.ts';
import type { LatencyCoefficients } from './latency-model.ts';

/** Runtimes `calibrate` can measure on this host. */
export const CALIBRATABLE = HOST_RUNTIMES;

/** Which per-probe figure the fit uses: the median (default) or the minimum (for a busy host). */
export type Statistic = 'median' | 'min';

/** Options of a calibration run. */
export interface CalibrateOptions {
  runtime: RuntimeName;
  warmup: number;
  runs: number;
  /** Passes over the whole sweep; runs of all passes are pooled (spreads a busy spell over probes). */
  rounds: number;
  statistic: Statistic;
  /** onnxruntime-node intra-op threads (default: the host's core count); tfjs-wasm runs one thread. */
  threads?: number;
  /** Restrict the sweep (tests use a few probes). */
  probes?: Probe[];
  logger?: Logger;
}

/** One probe's measured and predicted figures. */
export interface ProbeResult {
  id: string;
  role: Probe['role'];
  layers: number;
  macs: number;
  medianMs: number;
  minMs: number;
  p90Ms: number;
  /** The figure the fit used (`statistic`). */
  measuredMs: number;
  predictedMs: number;
  errorPct: number;
}

/** Error summary over a set of probes. */
export interface ErrorSummary {
  count: number;
  medianAbsErrorPct: number;
  p95AbsErrorPct: number;
  measuredTotalMs: number;
  predictedTotalMs: number;
  totalErrorPct: number;
}

/** What a calibration run measured and fitted. */
export interface CalibrationReport {
  runtime: RuntimeName;
  runtimeVersion: string;
  simd: boolean;
  threads: number;
  statistic: Statistic;
  warmup: number;
  runs: number;
  rounds: number;
  measuredAt: string;
  /** 1-minute load average before and after the sweep: a busy host inflates timings. */
  hostLoad: [number, number];
  coefficients: LatencyCoefficients;
  notLimiting: string[];
  probes: ProbeResult[];
  fit: ErrorSummary;
  check: ErrorSummary;
}

/** Percentile of sorted values (nearest rank). */
function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

/** Summarize predicted against measured for a set of probes. */
function summarize(rows: ProbeResult[]): ErrorSummary {
  const abs = rows.map((r) => Math.abs(r.errorPct)).sort((a, b) => a - b);
  const measuredTotalMs = rows.reduce((n, r) => n + r.measuredMs, 0);
  const predictedTotalMs = rows.reduce((n, r) => n + r.predictedMs, 0);
  return {
    count: rows.length,
    medianAbsErrorPct: percentile(abs, 0.5),
    p95AbsErrorPct: percentile(abs, 0.95),
    measuredTotalMs,
    predictedTotalMs,
    totalErrorPct: measuredTotalMs > 0 ? ((predictedTotalMs - measuredTotalMs) / measuredTotalMs) * 100 : 0,
  };
}

/** A probe ready to time on the chosen runtime. */
interface PreparedProbe {
  probe: Probe;
  works: LayerWork[];
  time: (options: TimingOptions) => Promise<number[]>;
}

/** How one host runtime is timed, and what it fuses. */
interface HostRuntime {
  version: string;
  simd: boolean;
  threads: number;
  fuses: Fusion[];
  prepare(bundle: ModelBundle, graph: Graph): (options: TimingOptions) => Promise<number[]>;
}

/** The timer of a host runtime, or BACKEND_UNAVAILABLE. */
async function openRuntime(runtime: RuntimeName, threads: number | undefined): Promise<HostRuntime> {
  if (runtime === 'tfjs-wasm') {
    const info = await describeTfjs();
    return {
      version: `tfjs ${info.version} (${info.backend}${info.simd ? ', SIMD' : ''})`,
      simd: info.simd,
      threads: 1,
      fuses: [],
      prepare: (bundle) => async (o) => (await timeBundle(bundle, o)).runsMs,
    };
  }
  if (runtime === 'onnxruntime-node') {
    const info = await describeOnnxRuntime();
    const n = threads ?? cpus().length;
    return {
      version: `onnxruntime-node ${info.version} (cpu, graph optimization all)`,
      simd: true,
      threads: n,
      fuses: ['batchnorm', 'activation'],
      prepare: (bundle, graph) => {
        const built = buildOnnxModel(graph, new Map(bundle.weights.map((w) => [w.name, w])), { layout: 'nchw' });
        const io = built.inputs[0];
        const dims = (io?.dims ?? []).map((d) => (typeof d === 'number' ? d : 1));
        return async (o) => (await timeOnnxModel(built.bytes, { name: io?.name ?? 'input', dims }, { ...o, threads: n })).runsMs;
      },
    };
  }
  fail('BACKEND_UNAVAILABLE', {
    expected: `a host runtime: ${CALIBRATABLE.join(', ')}`,
    found: `runtime ${runtime}`,
    where: 'edge-prune calibrate --runtime',
    hint: `${runtime} does not run on this host; its coefficients come from device measurements (edge-prune verify)`,
  });
}

/** Time every probe `rounds` times (interleaved) and return the pooled runs per probe. */
async function measureProbes(items: PreparedProbe[], options: CalibrateOptions, logger: Logger): Promise<number[][]> {
  const pooled = items.map(() => [] as number[]);
  const total = items.length * options.rounds;
  let done = 0;
  for (let round = 0; round < options.rounds; round++) {
    for (const [i, item] of items.entries()) {
      pooled[i]!.push(...(await item.time({ warmup: options.warmup, runs: options.runs })));
      done += 1;
      logger.progress({ task: `calibrate ${options.runtime}`, done, total, detail: item.probe.id });
    }
  }
  return pooled;
}

/** Run the sweep on the host runtime, fit the coefficients and report predicted vs measured. */
export async function calibrateHost(options: CalibrateOptions): Promise<CalibrationReport> {
  const logger = options.logger ?? silentLogger;
  const host = await openRuntime(options.runtime, options.threads);
  const loadBefore = loadavg()[0] ?? 0;
  const items: PreparedProbe[] = [];
  for (const probe of options.probes ?? calibrationProbes()) {
    const bundle = await initializeBundle(probe.topology);
    const graph = buildGraph(bundle);
    items.push({ probe, works: describeWork(graph), time: host.prepare(bundle, graph) });
  }
  const pooled = await measureProbes(items, options, logger);
  const samples: FitSample[] = [];
  const stats = pooled.map((runs) => {
    const sorted = [...runs].sort((a, b) => a - b);
    return { median: percentile(sorted, 0.5), min: sorted[0] ?? 0, p90: percentile(sorted, 0.9) };
  });
  items.forEach((item, i) => {
    if (item.probe.role === 'fit') samples.push({ id: item.probe.id, works: item.works, measuredMs: stats[i]![options.statistic] });
  });
  const fit = fitCoefficients(samples, 'max', undefined, host.fuses);
  const all = items.map((item, i) => ({ id: item.probe.id, works: item.works, measuredMs: stats[i]![options.statistic] }));
  const residuals = residualsOf(all, fit.coefficients, 'max');
  const probes: ProbeResult[] = items.map((item, i) => ({
    id: item.probe.id,
    role: item.probe.role,
    layers: item.works.filter((w) => w.executed).length,
    macs: item.works.reduce((n, w) => n + w.macs, 0),
    medianMs: stats[i]!.median,
    minMs: stats[i]!.min,
    p90Ms: stats[i]!.p90,
    measuredMs: residuals[i]!.measuredMs,
    predictedMs: residuals[i]!.predictedMs,
    errorPct: residuals[i]!.errorPct,
  }));
  return {
    runtime: options.runtime,
    runtimeVersion: host.version,
    simd: host.simd,
    threads: host.threads,
    statistic: options.statistic,
    warmup: options.warmup,
    runs: options.runs,
    rounds: options.rounds,
    measuredAt: new Date().toISOString(),
    hostLoad: [loadBefore, loadavg()[0] ?? 0],
    coefficients: fit.coefficients,
    notLimiting: fit.notLimiting,
    probes,
    fit: summarize(probes.filter((p) => p.role === 'fit')),
    check: summarize(probes.filter((p) => p.role === 'check')),
  };
}

/** Round to 4 significant digits (the fit is not more precise than that). */
const round4 = (v: number): number => Number(v.toPrecision(4));

/** The profile with the calibrated runtime entry written in (every coefficient labelled `measured`). */
export function applyCalibration(profile: Profile, report: CalibrationReport): Profile {
  const how = `measured here: edge-prune calibrate on ${report.measuredAt.slice(0, 10)}, ${report.runtimeVersion}, ${report.threads} thread${report.threads === 1 ? '' : 's'}, ${report.fit.count} probes, ${report.statistic} of ${report.rounds}×${report.runs} runs after ${report.warmup} warm-up`;
  const c = report.coefficients;
  const label = (value: number, note = '') => ({ value: round4(value), basis: 'measured' as const, source: `${how}${note}` });
  const capped = (kind: string) => (report.notLimiting.includes(kind) ? '; compute never limited a probe of this kind (memory traffic explains it), value is a cap' : '');
  const entry: RuntimeModel = {
    threads: report.threads,
    simd: report.simd,
    inferenceOverheadMs: label(c.inferenceOverheadMs),
    layerOverheadMs: label(c.layerOverheadMs),
    cacheMb: label(c.cacheMb, '; chosen by the fit from a grid of cache sizes'),
    bandwidthGBs: label(c.bandwidthGBs, report.notLimiting.includes('bandwidth') ? '; memory traffic never limited a probe, value is a cap' : ''),
    throughputGops: Object.fromEntries(OP_KINDS.map((k) => [k, label(c.throughputGops[k], capped(k))])) as RuntimeModel['throughputGops'],
    ...(c.fuses.length > 0 ? { fuses: c.fuses } : {}),
    reference: profile.runtimes[report.runtime]?.reference,
    calibration: {
      measuredAt: report.measuredAt,
      runtimeVersion: report.runtimeVersion,
      shapes: report.fit.count,
      warmup: report.warmup,
      runs: report.runs * report.rounds,
      statistic: report.statistic,
      medianAbsErrorPct: round4(report.fit.medianAbsErrorPct),
      p95AbsErrorPct: round4(report.fit.p95AbsErrorPct),
    },
  };
  if (!entry.reference) delete entry.reference;
  return { ...profile, runtimes: { ...profile.runtimes, [report.runtime]: entry } };
}
