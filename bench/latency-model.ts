// Benchmark: predicted (profiles/host.json) vs measured latency of held-out pruned sample variants on tfjs-wasm and onnxruntime-node.
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { buildGraph } from '../src/analyze/graph.ts';
import type { RuntimeName } from '../src/core/schemas.ts';
import { openHostTimer, timeInterleaved } from '../src/search/calibrate-timers.ts';
import { describeWork } from '../src/search/layer-work.ts';
import { loadSampleBases, pruneVariant, type NetworkVariant } from '../src/search/latency-fit-set.ts';
import { coefficientsOf, predictFromWork } from '../src/search/latency-model.ts';
import { loadProfile } from '../src/search/load-targets.ts';

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
  errorPct: number;
  /** Error against the median, whatever the calibration statistic. */
  errorVsMedianPct: number;
}

/** One runtime's results. */
export interface RuntimeBench {
  runtime: RuntimeName;
  version: string;
  statistic: 'min' | 'median';
  runsPerVariant: number;
  load: [number, number];
  results: VariantResult[];
  /** Share of variants within 10% of the measured statistic (0..1). */
  within10Pct: number;
  within10PctVsMedian: number;
  medianAbsErrorPct: number;
  p95AbsErrorPct: number;
}

/** Share within 10%, median and p95 of |errors|. */
function stats(errors: number[]): { within: number; median: number; p95: number } {
  const abs = errors.map(Math.abs).sort((a, b) => a - b);
  const at = (q: number): number => abs[Math.min(abs.length - 1, Math.max(0, Math.ceil(q * abs.length) - 1))] ?? 0;
  return { within: abs.filter((e) => e <= 10).length / Math.max(1, abs.length), median: at(0.5), p95: at(0.95) };
}

/** Measure (interleaved rounds) and predict every variant on one host runtime. */
async function benchRuntime(runtime: RuntimeName, variants: NetworkVariant[], rounds: number, runs: number): Promise<RuntimeBench> {
  const model = loadProfile('host').runtimes[runtime];
  const c = coefficientsOf(loadProfile('host'), runtime);
  const statistic = model?.calibration?.statistic ?? 'median';
  const timer = await openHostTimer(runtime, model?.threads);
  const load0 = loadavg()[0] ?? 0;
  const pooled = await timeInterleaved(timer, variants, { warmup: 3, runs, rounds });
  const results = variants.map((v, i): VariantResult => {
    const works = describeWork(buildGraph(v.bundle));
    const sorted = [...pooled[i]!].sort((a, b) => a - b);
    const medianMs = sorted[Math.ceil(sorted.length / 2) - 1] ?? 0;
    const minMs = sorted[0] ?? 0;
    const measuredMs = statistic === 'min' ? minMs : medianMs;
    const predictedMs = predictFromWork(works, c, { profile: 'host', runtime }).totalMs;
    return {
      id: v.id,
      macs: works.reduce((n, w) => n + w.macs, 0),
      medianMs,
      minMs,
      measuredMs,
      predictedMs,
      errorPct: ((predictedMs - measuredMs) / measuredMs) * 100,
      errorVsMedianPct: ((predictedMs - medianMs) / medianMs) * 100,
    };
  });
  const s = stats(results.map((r) => r.errorPct));
  return {
    runtime,
    version: timer.version,
    statistic,
    runsPerVariant: rounds * runs,
    load: [load0, loadavg()[0] ?? 0],
    results,
    within10Pct: s.within,
    within10PctVsMedian: stats(results.map((r) => r.errorVsMedianPct)).within,
    medianAbsErrorPct: s.median,
    p95AbsErrorPct: s.p95,
  };
}

/** Held-out pruned variants of both samples (15 seeds each), measured and predicted on tfjs-wasm and onnxruntime-node. */
export async function benchLatencyModel(options: { seeds?: number[]; rounds?: number; runs?: number } = {}): Promise<{ variants: number; runtimes: RuntimeBench[] }> {
  const bases = await loadSampleBases();
  const variants = bases.flatMap((b) => (options.seeds ?? BENCH_SEEDS).map((s) => pruneVariant(b, s)));
  const runtimes: RuntimeBench[] = [];
  for (const runtime of ['tfjs-wasm', 'onnxruntime-node'] as const) runtimes.push(await benchRuntime(runtime, variants, options.rounds ?? 10, options.runs ?? 4));
  return { variants: variants.length, runtimes };
}

/** The printed table of one runtime. */
export function describeRuntimeBench(r: RuntimeBench): string[] {
  const lines = [
    `predicted (profiles/host.json) vs measured, ${r.runtime} (${r.version}) on this host: ${r.results.length} held-out pruned sample variants, ` +
      `${r.runsPerVariant} interleaved runs each, compared with the ${r.statistic} (the statistic calibration fitted); load ${r.load.map((l) => l.toFixed(1)).join(' → ')}`,
  ];
  for (const x of r.results) {
    const pct = (e: number): string => `${e >= 0 ? '+' : ''}${e.toFixed(1)}%`;
    lines.push(
      `  ${x.id.padEnd(20)} ${(x.macs / 1e6).toFixed(1).padStart(6)} MMACs  measured ${x.measuredMs.toFixed(3).padStart(7)} ms (median ${x.medianMs.toFixed(3)}, min ${x.minMs.toFixed(3)})  ` +
        `predicted ${x.predictedMs.toFixed(3).padStart(7)} ms  ${pct(x.errorPct).padStart(7)} (vs median ${pct(x.errorVsMedianPct)})`,
    );
  }
  lines.push(
    `  ${r.runtime} within 10%: ${(r.within10Pct * 100).toFixed(0)}% of ${r.results.length} variants (vs the median: ${(r.within10PctVsMedian * 100).toFixed(0)}%); ` +
      `median |error| ${r.medianAbsErrorPct.toFixed(1)}%, p95 ${r.p95AbsErrorPct.toFixed(1)}%`,
  );
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await benchLatencyModel();
  if (process.argv.includes('--json')) console.log(JSON.stringify(out, null, 2));
  else for (const r of out.runtimes) console.log(describeRuntimeBench(r).join('\n'));
}
