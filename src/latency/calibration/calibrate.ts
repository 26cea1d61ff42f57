// Host calibration: time whole pruned networks and layer probes on a host runtime, fit its coefficients, report predicted vs measured.
import { loadavg } from 'node:os';
import { buildGraph } from '../../analyze/graph.ts';
import { silentLogger } from '../../core/logger.ts';
import type { Logger } from '../../core/logger.ts';
import { HOST_RUNTIMES, OP_KINDS, type ComputePrecision, type Profile, type RuntimeModel, type RuntimeName } from '../../core/schemas.ts';
import { median, percentile, summarizeRuns } from '../../core/statistics.ts';
import type { ModelBundle } from '../../core/types.ts';
import { initializeBundle } from '../../runtime/layers-model.ts';
import { openHostTimer, timeInterleaved, type Residency } from './calibrate-timers.ts';
import { calibrationProbes, type Probe } from './calibration-probes.ts';
import { CHANNEL_BLOCK_GRID, fitCoefficients, residualsOf, type FitSample } from './fit-latency.ts';
import { describeWork, type LayerWork } from '../layer-work.ts';
import type { LatencyCoefficients } from '../latency-model.ts';
import { withInt8Entry } from './int8-entry.ts';
import { driftOf, withFloat32Anchors } from './host-drift.ts';
import { calibrationNetworks, type CalibrationNetworks, type NetworkVariant } from './latency-fit-set.ts';

/** Runtimes `calibrate` can measure on this host. */
export const CALIBRATABLE = HOST_RUNTIMES;

/** Which per-model figure the fit uses: the median of the pooled runs (default) or the minimum (for a busy host). */
export type Statistic = 'median' | 'min';

/**
 * Weight of a single-layer probe in the fit relative to a whole network (1): the networks decide
 * the coefficients, the probes pin op kinds the networks rarely exercise (sigmoid, depthwise, big dense).
 */
export const LAYER_PROBE_WEIGHT = 0.1;

/**
 * Weight of a pruned variant of a sample (the networks edge-prune prunes in its benchmarks and
 * examples) relative to other whole networks (1).
 */
export const SAMPLE_NETWORK_WEIGHT = 3;

/** Options of a calibration run. */
export interface CalibrateOptions {
  runtime: RuntimeName;
  warmup: number;
  runs: number;
  /** Passes over all models: runs of all passes are pooled (spreads a busy spell over the models). */
  rounds: number;
  statistic: Statistic;
  /** Whether the timed models stay loaded together or each runs alone (see `Residency`). */
  residency: Residency;
  /** float32 (default) or int8: time each model as its int8 QDQ export (onnxruntime-node only). */
  compute?: ComputePrecision;
  /**
   * With int8: the float32 calibration's anchor times (the profile's `calibration.anchors`); their
   * float32 copies are timed beside the int8 models and the int8 times divided by the host's drift.
   */
  float32Anchors?: Record<string, number>;
  /** onnxruntime-node intra-op threads (default 1: predictable, see `edge-prune calibrate --help`); tfjs-wasm runs one thread. */
  threads?: number;
  /** Restrict the layer probes and reference networks (tests use a few). */
  probes?: Probe[];
  /** Restrict the pruned whole networks (default: `calibrationNetworks()`). */
  networks?: CalibrationNetworks;
  logger?: Logger;
}

/** One timed model's measured and predicted figures. */
export interface ProbeResult {
  id: string;
  /** `fit`: in the fit; `check`: held out, only compared. */
  role: Probe['role'];
  /** A single-layer probe or a whole network. */
  kind: 'layer' | 'network';
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

/** Error summary over a set of models. */
export interface ErrorSummary {
  count: number;
  medianAbsErrorPct: number;
  p95AbsErrorPct: number;
  /** Share of the models predicted within 10% of measured (0..1). */
  within10Pct: number;
  measuredTotalMs: number;
  predictedTotalMs: number;
  totalErrorPct: number;
}

/** What a calibration run measured and fitted. */
export interface CalibrationReport {
  runtime: RuntimeName;
  /** The precision the models ran in (int8: their QDQ exports on integer kernels). */
  compute: ComputePrecision;
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
  /** CPU this process used per second of wall time (its own share of the load average). */
  processCpu: number;
  /** Whether the timed models stayed loaded together or each ran alone. */
  residency: Residency;
  /** How much slower the host ran than at the float32 calibration (int8 only; times were divided by it); 1 otherwise. */
  hostDrift: number;
  /** Wall time of the whole calibration, in seconds. */
  wallSeconds: number;
  coefficients: LatencyCoefficients;
  notLimiting: string[];
  probes: ProbeResult[];
  /** Every fitted model (networks and layer probes). */
  fit: ErrorSummary;
  /** The fitted whole networks only. */
  fitNetworks: ErrorSummary;
  /** Held-out networks: pruned sample variants with other seeds and reference networks. */
  check: ErrorSummary;
}

/** CPU seconds this process used per wall second since `before` (µs counters) and `startedMs`. */
function cpuSince(before: NodeJS.CpuUsage, startedMs: number): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / Math.max(1, performance.now() - startedMs);
}

/** Summarize predicted against measured for a set of models. */
export function summarize(rows: Array<{ measuredMs: number; predictedMs: number; errorPct: number }>): ErrorSummary {
  const abs = rows.map((r) => Math.abs(r.errorPct));
  const measuredTotalMs = rows.reduce((n, r) => n + r.measuredMs, 0);
  const predictedTotalMs = rows.reduce((n, r) => n + r.predictedMs, 0);
  return {
    count: rows.length,
    medianAbsErrorPct: rows.length > 0 ? median(abs) : 0,
    p95AbsErrorPct: rows.length > 0 ? percentile(abs, 0.95) : 0,
    within10Pct: rows.length > 0 ? abs.filter((e) => e <= 10).length / rows.length : 0,
    measuredTotalMs,
    predictedTotalMs,
    totalErrorPct: measuredTotalMs > 0 ? ((predictedTotalMs - measuredTotalMs) / measuredTotalMs) * 100 : 0,
  };
}

/** A model ready to time. */
interface Item {
  id: string;
  role: Probe['role'];
  kind: ProbeResult['kind'];
  bundle: ModelBundle;
  works: LayerWork[];
  weight: number;
}

/** The models of a calibration: layer probes, pruned networks and held-out networks. */
async function prepareItems(options: CalibrateOptions): Promise<Item[]> {
  const items: Item[] = [];
  const add = (id: string, role: Probe['role'], kind: Item['kind'], bundle: ModelBundle, weight: number): void => {
    items.push({ id, role, kind, bundle, works: describeWork(buildGraph(bundle)), weight });
  };
  for (const probe of options.probes ?? calibrationProbes()) {
    add(probe.id, probe.role, probe.network ? 'network' : 'layer', await initializeBundle(probe.topology), probe.network ? 1 : LAYER_PROBE_WEIGHT);
  }
  const networks = options.networks ?? (await calibrationNetworks());
  const weightOf = (v: NetworkVariant): number => (v.base.startsWith('sample-') ? SAMPLE_NETWORK_WEIGHT : 1);
  for (const v of networks.fit) add(v.id, 'fit', 'network', v.bundle, weightOf(v));
  for (const v of networks.check) add(v.id, 'check', 'network', v.bundle, weightOf(v));
  return items;
}

/**
 * Time every model on the host runtime (interleaved rounds), fit the coefficients on the fitted
 * models by NNLS on relative error (layer probes at `LAYER_PROBE_WEIGHT`, sample variants at
 * `SAMPLE_NETWORK_WEIGHT`), and report predicted
 * vs measured for every model.
 */
export async function calibrateHost(options: CalibrateOptions): Promise<CalibrationReport> {
  const started = performance.now();
  const logger = options.logger ?? silentLogger;
  const timer = await openHostTimer(options.runtime, options.threads, options.compute);
  const loadBefore = loadavg()[0] ?? 0;
  const cpuBefore = process.cpuUsage();
  const items = await prepareItems(options);
  const reference = options.compute === 'int8' ? (options.float32Anchors ?? {}) : {};
  const drift = Object.keys(reference).length > 0 ? withFloat32Anchors(timer, await openHostTimer(options.runtime, options.threads), items, reference) : undefined;
  const timed = [...items, ...(drift?.anchors ?? [])];
  const pooled = await timeInterleaved(drift?.timer ?? timer, timed, { warmup: options.warmup, runs: options.runs, rounds: options.rounds, residency: options.residency, logger, task: `calibrate ${options.runtime}` });
  const summaries = pooled.map((runs) => summarizeRuns(runs));
  const hostDrift = drift ? driftOf(drift.anchors.map((a, j) => ({ id: a.id, ms: summaries[items.length + j]![options.statistic === 'min' ? 'minMs' : 'medianMs'] })), reference) : 1;
  // int8 times are brought back to the host's speed at the float32 calibration, so the two compare.
  const stats = summaries.slice(0, items.length).map(({ medianMs, minMs, p90Ms }) => ({ median: medianMs / hostDrift, min: minMs / hostDrift, p90: p90Ms / hostDrift }));
  const all: FitSample[] = items.map((item, i) => ({
    id: item.id,
    works: item.works,
    measuredMs: stats[i]![options.statistic],
    weight: item.weight,
  }));
  const fit = fitCoefficients(all.filter((_, i) => items[i]!.role === 'fit'), 'max', undefined, timer.fuses);
  const residuals = residualsOf(all, fit.coefficients, 'max');
  const probes: ProbeResult[] = items.map((item, i) => ({
    id: item.id,
    role: item.role,
    kind: item.kind,
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
    compute: timer.compute,
    runtimeVersion: timer.version,
    simd: timer.simd,
    threads: timer.threads,
    statistic: options.statistic,
    warmup: options.warmup,
    runs: options.runs,
    rounds: options.rounds,
    measuredAt: new Date().toISOString(),
    hostLoad: [loadBefore, loadavg()[0] ?? 0],
    processCpu: cpuSince(cpuBefore, started),
    residency: options.residency,
    hostDrift,
    wallSeconds: (performance.now() - started) / 1000,
    coefficients: fit.coefficients,
    notLimiting: fit.notLimiting,
    probes,
    fit: summarize(probes.filter((p) => p.role === 'fit')),
    fitNetworks: summarize(probes.filter((p) => p.role === 'fit' && p.kind === 'network')),
    check: summarize(probes.filter((p) => p.role === 'check')),
  };
}

/** Seeds of the anchor networks: each sample unpruned (0) and its first two fitted variants. */
export const ANCHOR_SEEDS = [0, 1, 2];

/** Whether a timed network is an anchor (see `ANCHOR_SEEDS`). */
export function isAnchor(id: string): boolean {
  const m = /^sample-[a-z0-9]+#(\d+)$/.exec(id);
  return !!m && ANCHOR_SEEDS.includes(Number(m[1]));
}

/** Round to 4 significant digits (the fit is not more precise than that). */
const round4 = (v: number): number => Number(v.toPrecision(4));

/** The profile with the calibrated runtime entry (float32) or its `int8` entry written in (every coefficient labelled `measured`). */
export function applyCalibration(profile: Profile, report: CalibrationReport): Profile {
  const networks = report.probes.filter((p) => p.role === 'fit' && p.kind === 'network');
  const layers = report.fit.count - networks.length;
  const families = [...new Set(networks.map((p) => p.id.replace(/[#-]\w*$/, '').replace(/-variant$/, '')))].join(', ');
  const how =
    `measured here: edge-prune calibrate on ${report.measuredAt.slice(0, 10)}, ${report.runtimeVersion}, ${report.threads} thread${report.threads === 1 ? '' : 's'}; ` +
    `fitted (NNLS on relative error, Huber-weighted) to ${networks.length} whole networks timed end to end (unpruned and seeded random per-group drop ratios of ${families}) ` +
    `and ${layers} single-layer probes at weight ${LAYER_PROBE_WEIGHT} (sample variants at weight ${SAMPLE_NETWORK_WEIGHT}); ${report.statistic} of ${report.rounds}×${report.runs} interleaved runs after ${report.warmup} warm-up; ` +
    `models timed ${report.residency === 'alone' ? 'one at a time (each loaded alone)' : 'interleaved while all stay loaded'}; host load ${report.hostLoad.map((l) => l.toFixed(1)).join('→')} (this process ${report.processCpu.toFixed(1)}); fitted networks median |error| ${report.fitNetworks.medianAbsErrorPct.toFixed(1)}%, ` +
    `held-out networks ${(report.check.within10Pct * 100).toFixed(0)}% within 10%` +
    (report.compute === 'int8' ? `; every model timed as its int8 QDQ export (activation ranges from seeded inputs), times divided by the host drift ${report.hostDrift.toFixed(2)}× measured on float32 copies of the anchors timed alongside` : '');
  const c = report.coefficients;
  const label = (value: number, note = '') => ({ value: round4(value), basis: 'measured' as const, source: `${how}${note}` });
  const capped = (kind: string) => (report.notLimiting.includes(kind) ? '; compute never limited a probe of this kind (memory traffic explains it), value is a cap' : '');
  const entry: RuntimeModel = {
    threads: report.threads,
    simd: report.simd,
    inferenceOverheadMs: label(c.inferenceOverheadMs),
    layerOverheadMs: label(c.layerOverheadMs),
    cacheMb: label(c.cacheMb, '; chosen by the fit from a grid of cache sizes'),
    channelBlock: label(c.channelBlock, `; chosen by the fit from ${CHANNEL_BLOCK_GRID.join(', ')} (onnxruntime's x86 NCHWc convs pad channels to 8 with AVX2, 16 with AVX-512)`),
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
      residency: report.residency,
      medianAbsErrorPct: round4(report.fit.medianAbsErrorPct),
      p95AbsErrorPct: round4(report.fit.p95AbsErrorPct),
      anchors: Object.fromEntries(report.probes.filter((p) => isAnchor(p.id)).map((p) => [p.id, round4(p.measuredMs)])),
    },
  };
  if (!entry.reference) delete entry.reference;
  const existing = profile.runtimes[report.runtime];
  if (report.compute === 'int8') return withInt8Entry(profile, report.runtime, entry);
  if (existing?.int8) entry.int8 = existing.int8;
  return { ...profile, runtimes: { ...profile.runtimes, [report.runtime]: entry } };
}
