// Benchmark: predicted (host profile) vs measured (tfjs-wasm on this host) latency over pruned network variants.
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { buildGraph } from '../src/analyze/graph.ts';
import { initializeBundle, timeBundle } from '../src/runtime/time-tfjs.ts';
import { describeWork } from '../src/search/layer-work.ts';
import { coefficientsOf, predictFromWork } from '../src/search/latency-model.ts';
import { loadProfile } from '../src/search/load-targets.ts';
import { VARIANT_FAMILIES } from '../src/search/network-variants.ts';

/** One variant's figures. */
export interface VariantResult {
  id: string;
  macs: number;
  medianMs: number;
  minMs: number;
  predictedMs: number;
  /** Prediction with compute and memory time summed instead of max'ed, for comparison. */
  predictedSumMs: number;
  errorPct: number;
}

/** Measure and predict `count` variants of each family on the host's tfjs-wasm. */
export async function benchLatencyModel(count = 12, runs = 15): Promise<{ results: VariantResult[]; within10Pct: number; medianAbsErrorPct: number; load: number[] }> {
  const profile = loadProfile('host');
  const c = coefficientsOf(profile, 'tfjs-wasm');
  const results: VariantResult[] = [];
  const loadBefore = loadavg()[0] ?? 0;
  for (const [family, make] of Object.entries(VARIANT_FAMILIES)) {
    // Seeds 1000+ so the benchmark's variants differ from the ones calibration fits on.
    for (let seed = 1; seed <= count; seed++) {
      const bundle = await initializeBundle(make(1000 + seed));
      const works = describeWork(buildGraph(bundle));
      const timing = await timeBundle(bundle, { warmup: 3, runs });
      const sorted = [...timing.runsMs].sort((a, b) => a - b);
      const medianMs = sorted[sorted.length >> 1] ?? 0;
      const label = { profile: 'host', runtime: 'tfjs-wasm' as const };
      const predictedMs = predictFromWork(works, c, label, 'max').totalMs;
      results.push({
        id: `${family}#${seed}`,
        macs: works.reduce((n, w) => n + w.macs, 0),
        medianMs,
        minMs: sorted[0] ?? 0,
        predictedMs,
        predictedSumMs: predictFromWork(works, c, label, 'sum').totalMs,
        errorPct: ((predictedMs - medianMs) / medianMs) * 100,
      });
    }
  }
  const abs = results.map((r) => Math.abs(r.errorPct)).sort((a, b) => a - b);
  return {
    results,
    within10Pct: abs.filter((e) => e <= 10).length / abs.length,
    medianAbsErrorPct: abs[abs.length >> 1] ?? 0,
    load: [loadBefore, loadavg()[0] ?? 0],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await benchLatencyModel();
  if (process.argv.includes('--json')) console.log(JSON.stringify(out, null, 2));
  else {
    console.log(`predicted (profiles/host.json) vs measured median (tfjs-wasm, this host; load ${out.load.map((l) => l.toFixed(1)).join(' → ')})`);
    for (const r of out.results) {
      const minErr = ((r.predictedMs - r.minMs) / r.minMs) * 100;
      console.log(`  ${r.id.padEnd(13)} ${(r.macs / 1e6).toFixed(1).padStart(7)} MMACs  measured ${r.medianMs.toFixed(2).padStart(7)} ms (min ${r.minMs.toFixed(2)})  predicted ${r.predictedMs.toFixed(2).padStart(7)} ms  ${r.errorPct >= 0 ? '+' : ''}${r.errorPct.toFixed(1)}% (vs min ${minErr >= 0 ? '+' : ''}${minErr.toFixed(1)}%)`);
    }
    console.log(`within 10%: ${(out.within10Pct * 100).toFixed(0)}% of ${out.results.length}; median |error| ${out.medianAbsErrorPct.toFixed(1)}%`);
  }
}
