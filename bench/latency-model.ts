// Benchmark: predicted (profiles/host.json) vs measured latency of held-out pruned sample variants on tfjs-wasm and onnxruntime-node.
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { buildGraph } from '../src/analyze/graph.ts';
import type { RuntimeName } from '../src/core/schemas.ts';
import { openHostTimer, timeInterleaved, type Residency } from '../src/latency/calibration/calibrate-timers.ts';
import { describeWork } from '../src/latency/layer-work.ts';
import { loadSampleBases, pruneVariant, type NetworkVariant } from '../src/latency/calibration/latency-fit-set.ts';
import { coefficientsOf, predictFromWork } from '../src/latency/latency-model.ts';
import { loadProfile } from '../src/targets/load-targets.ts';
import { ANCHOR_SEEDS } from '../src/latency/calibration/calibrate.ts';
import { median, percentile } from '../src/core/statistics.ts';

/** The benchmark's variant seeds: disjoint from calibration's (0..12 fitted, 2001+ held out there). */
export const BENCH_SEEDS = Array.from({ length: 15 }, (_, i) => 1001 + i);

/** One variant's figures on one runtime. */
export interface VariantResult {
  id: string;
  macs: number;
  medianMs: number;
  minMs: number;
  /** The figure compared: the statistic the profile's calibration fitted (min or median). */
  measuredMs: number;
  predictedMs: number;
  /** (predicted − measured) / measured × 100, predicted straight from the profile. */
  errorPct: number;
  /** The same with the prediction scaled by the host's speed now (`hostSpeed.factor`). */
  adjustedErrorPct: number;
  /** Error against the median, whatever the calibration statistic. */
  errorVsMedianPct: number;
}

/** How fast the host runs now against calibration time, from the anchor networks timed in the same session. */
export interface HostSpeed {
  /** Geometric mean of measured now / measured at calibration over the anchors (1: unchanged; 1.2: 20% slower now). */
  factor: number;
  anchors: Array<{ id: string; calibratedMs: number; measuredMs: number }>;
}

/** Share within 10%, median and p95 of |errors|. */
export interface ErrorStats {
  within10Pct: number;
  medianAbsErrorPct: number;
  p95AbsErrorPct: number;
}

/** One runtime's results. */
export interface RuntimeBench {
  runtime: RuntimeName;
  version: string;
  statistic: 'min' | 'median';
  /** How the variants were timed: the protocol the profile's calibration used. */
  residency: Residency;
  threads: number;
  runsPerVariant: number;
  load: [number, number];
  hostSpeed: HostSpeed | null;
  results: VariantResult[];
  /** Predicted straight from the profile against the measured statistic. */
  raw: ErrorStats;
  /** Predicted × the host-speed factor against the measured statistic (raw when no anchors were recorded). */
  adjusted: ErrorStats;
  /** Straight prediction against the median of the runs. */
  vsMedian: ErrorStats;
}

/** Share within 10%, median and p95 of |errors|. */
function stats(errors: number[]): ErrorStats {
  const abs = errors.map(Math.abs);
  return { within10Pct: abs.filter((e) => e <= 10).length / Math.max(1, abs.length), medianAbsErrorPct: abs.length > 0 ? median(abs) : 0, p95AbsErrorPct: abs.length > 0 ? percentile(abs, 0.95) : 0 };
}

/** Minimum and median of runs. */
function minAndMedian(runs: number[]): { minMs: number; medianMs: number } {
  return runs.length > 0 ? { minMs: Math.min(...runs), medianMs: median(runs) } : { minMs: 0, medianMs: 0 };
}

/** Measure (rounds, as the profile's calibration did) and predict every variant on one host runtime, with the anchors timed alongside. */
async function benchRuntime(runtime: RuntimeName, variants: NetworkVariant[], anchors: NetworkVariant[], rounds: number, runs: number): Promise<RuntimeBench> {
  const profile = loadProfile('host');
  const model = profile.runtimes[runtime];
  const c = coefficientsOf(profile, runtime);
  const statistic = model?.calibration?.statistic ?? 'median';
  const residency = model?.calibration?.residency ?? 'pool';
  const recorded = model?.calibration?.anchors ?? {};
  const timed = [...variants, ...anchors.filter((a) => recorded[a.id] !== undefined)];
  const timer = await openHostTimer(runtime, model?.threads);
  const load0 = loadavg()[0] ?? 0;
  const pooled = await timeInterleaved(timer, timed, { warmup: 3, runs, rounds, residency });
  const measured = pooled.map((r) => {
    const m = minAndMedian(r);
    return { ...m, measuredMs: statistic === 'min' ? m.minMs : m.medianMs };
  });
  const anchorRows = timed.slice(variants.length).map((a, i) => ({ id: a.id, calibratedMs: recorded[a.id]!, measuredMs: measured[variants.length + i]!.measuredMs }));
  const hostSpeed: HostSpeed | null =
    anchorRows.length > 0 ? { factor: Math.exp(anchorRows.reduce((s, a) => s + Math.log(a.measuredMs / a.calibratedMs), 0) / anchorRows.length), anchors: anchorRows } : null;
  const factor = hostSpeed?.factor ?? 1;
  const results = variants.map((v, i): VariantResult => {
    const works = describeWork(buildGraph(v.bundle));
    const { minMs, medianMs, measuredMs } = measured[i]!;
    const predictedMs = predictFromWork(works, c, { profile: 'host', runtime }).totalMs;
    return {
      id: v.id,
      macs: works.reduce((n, w) => n + w.macs, 0),
      medianMs,
      minMs,
      measuredMs,
      predictedMs,
      errorPct: ((predictedMs - measuredMs) / measuredMs) * 100,
      adjustedErrorPct: ((predictedMs * factor - measuredMs) / measuredMs) * 100,
      errorVsMedianPct: ((predictedMs - medianMs) / medianMs) * 100,
    };
  });
  return {
    runtime,
    version: timer.version,
    statistic,
    residency,
    threads: timer.threads,
    runsPerVariant: rounds * runs,
    load: [load0, loadavg()[0] ?? 0],
    hostSpeed,
    results,
    raw: stats(results.map((r) => r.errorPct)),
    adjusted: stats(results.map((r) => r.adjustedErrorPct)),
    vsMedian: stats(results.map((r) => r.errorVsMedianPct)),
  };
}

/** Held-out pruned variants of both samples (15 seeds each), measured and predicted on tfjs-wasm and onnxruntime-node. */
export async function benchLatencyModel(options: { seeds?: number[]; rounds?: number; runs?: number } = {}): Promise<{ variants: number; runtimes: RuntimeBench[] }> {
  const bases = await loadSampleBases();
  const variants = bases.flatMap((b) => (options.seeds ?? BENCH_SEEDS).map((s) => pruneVariant(b, s)));
  const anchors = bases.flatMap((b) => ANCHOR_SEEDS.map((s) => pruneVariant(b, s)));
  const runtimes: RuntimeBench[] = [];
  for (const runtime of ['tfjs-wasm', 'onnxruntime-node'] as const) runtimes.push(await benchRuntime(runtime, variants, anchors, options.rounds ?? 20, options.runs ?? 6));
  return { variants: variants.length, runtimes };
}

/** One error summary as text. */
const describeStats = (s: ErrorStats, n: number): string =>
  `${(s.within10Pct * 100).toFixed(0)}% of ${n} within 10% (median |error| ${s.medianAbsErrorPct.toFixed(1)}%, p95 ${s.p95AbsErrorPct.toFixed(1)}%)`;

/** The printed table of one runtime. */
export function describeRuntimeBench(r: RuntimeBench): string[] {
  const pct = (e: number): string => `${e >= 0 ? '+' : ''}${e.toFixed(1)}%`;
  const lines = [
    `predicted (profiles/host.json) vs measured, ${r.runtime} (${r.version}) on this host: ${r.results.length} held-out pruned sample variants, ` +
      `${r.runsPerVariant} runs each (${r.residency === 'alone' ? 'each variant loaded alone' : 'all loaded, interleaved'}, ${r.threads} thread${r.threads === 1 ? '' : 's'}), ` +
      `compared with the ${r.statistic} (as calibration did); load ${r.load.map((l) => l.toFixed(1)).join(' → ')}`,
  ];
  for (const x of r.results) {
    lines.push(
      `  ${x.id.padEnd(20)} ${(x.macs / 1e6).toFixed(1).padStart(6)} MMACs  measured ${x.measuredMs.toFixed(3).padStart(7)} ms (median ${x.medianMs.toFixed(3)}, min ${x.minMs.toFixed(3)})  ` +
        `predicted ${x.predictedMs.toFixed(3).padStart(7)} ms  ${pct(x.errorPct).padStart(7)} (host-speed adjusted ${pct(x.adjustedErrorPct)}, vs median ${pct(x.errorVsMedianPct)})`,
    );
  }
  const n = r.results.length;
  if (r.hostSpeed) {
    const a = r.hostSpeed.anchors.map((x) => `${x.id} ${x.measuredMs.toFixed(3)} ms now vs ${x.calibratedMs.toFixed(3)} ms at calibration`).join(', ');
    lines.push(`  host speed: ×${r.hostSpeed.factor.toFixed(3)} the calibration-time latency (${a})`);
  } else lines.push('  host speed: unknown (the profile records no anchor timings; recalibrate to record them)');
  lines.push(`  ${r.runtime} straight from the profile: ${describeStats(r.raw, n)}; vs the median: ${describeStats(r.vsMedian, n)}`);
  lines.push(`  ${r.runtime} host-speed adjusted: ${describeStats(r.adjusted, n)}`);
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await benchLatencyModel();
  if (process.argv.includes('--json')) console.log(JSON.stringify(out, null, 2));
  else for (const r of out.runtimes) console.log(describeRuntimeBench(r).join('\n'));
}
