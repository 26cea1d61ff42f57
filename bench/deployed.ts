// Benchmark: the deployed bundle (graph model, BN folded) vs the Layers bundle, predicted vs measured (local and emulated) on every target.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../src/bundle/read-bundle.ts';
import type { ModelBundle } from '../src/core/types.ts';
import { exportBundle } from '../src/export/export-bundle.ts';
import { mobilenetV2Topology } from '../src/latency/calibration/calibration-probes.ts';
import { initializeBundle } from '../src/runtime/layers-model.ts';
import { listTargets } from '../src/targets/load-targets.ts';
import { formatsFor } from '../src/verify/export-folder.ts';
import type { BundleFormat } from '../src/verify/types.ts';
import { verifyExport } from '../src/verify/verify-export.ts';

/** One measured row: a model's bundle on a target by a method, beside the profile's prediction. */
export interface DeployedRow {
  model: string;
  target: string;
  format: BundleFormat;
  /** The target deploys this format (else: the Layers bundle, shown for comparison). */
  deployed: boolean;
  method: 'local' | 'emulated';
  predictedMs: number | null;
  /** Median of the timed runs. */
  measuredMs: number | null;
  /** Fastest timed run: what a busy host disturbs least. */
  minMs: number | null;
  /** predicted / measured median. */
  ratio: number | null;
  /** predicted / fastest run. */
  ratioMin: number | null;
  error?: string;
}

/** The models benchmarked: the two samples and a MobileNetV2 1.0 at 224×224 (freshly initialized weights). */
async function benchModels(): Promise<Array<{ name: string; bundle: ModelBundle }>> {
  return [
    { name: 'samples/vgg', bundle: await readBundle('samples/vgg/model.json') },
    { name: 'samples/resnet', bundle: await readBundle('samples/resnet/model.json') },
    { name: 'mobilenetv2-224', bundle: await initializeBundle(mobilenetV2Topology(224, 1)) },
  ];
}

/** Measure one bundle format; a failure becomes a row with the error, never a crash. */
async function measureRow(dir: string, model: string, loaded: ReturnType<typeof listTargets>[number], format: BundleFormat, deployed: boolean, method: 'local' | 'emulated', runs: number): Promise<DeployedRow> {
  const base = { model, target: loaded.target.name, format, deployed, method };
  try {
    const m = await verifyExport(dir, { target: loaded, method, format, runs, warmup: 3, record: false, timeoutMs: 300_000 });
    const ratio = (ms: number): number | null => (m.predictedMs === null ? null : m.predictedMs / ms);
    return { ...base, predictedMs: m.predictedMs, measuredMs: m.medianMs, minMs: m.minMs, ratio: ratio(m.medianMs), ratioMin: ratio(m.minMs) };
  } catch (error) {
    return { ...base, predictedMs: null, measuredMs: null, minMs: null, ratio: null, ratioMin: null, error: (error as Error).message.slice(0, 160) };
  }
}

/**
 * For each model: export tfjs + tfjs-graph + onnx once, then measure locally (host, tfjs-wasm) the
 * Layers and the graph bundle, and on every target that is measured by emulation its deployed
 * bundle and (TF.js targets) the Layers bundle, each beside the profile's prediction for that bundle.
 * `onRow` sees each row as soon as it is measured.
 */
export async function benchDeployed(options: { runs?: number; onRow?: (row: DeployedRow) => void } = {}): Promise<{ load: [number, number]; rows: DeployedRow[] }> {
  const loadBefore = loadavg()[0] ?? 0;
  const rows: DeployedRow[] = [];
  const push = (row: DeployedRow): void => {
    rows.push(row);
    options.onRow?.(row);
  };
  const runs = options.runs ?? 10;
  const targets = listTargets();
  const host = targets.find((t) => t.target.name === 'host');
  for (const { name, bundle } of await benchModels()) {
    const dir = await mkdtemp(join(tmpdir(), 'ep-bench-deployed-'));
    try {
      const out = join(dir, 'export');
      await exportBundle(bundle, { formats: ['tfjs', 'tfjs-graph', 'onnx'], outDir: out });
      if (host) for (const format of ['tfjs-graph', 'tfjs'] as const) push(await measureRow(out, name, host, format, format === host.target.exportFormats[0], 'local', runs));
      for (const loaded of targets) {
        if (!loaded.target.measurement.methods.includes('emulated')) continue;
        const formats = formatsFor(loaded.target.runtime);
        const deployedFormat = loaded.target.exportFormats.find((f) => formats.includes(f)) ?? formats[0];
        for (const format of formats) push(await measureRow(out, name, loaded, format, format === deployedFormat, 'emulated', runs));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return { load: [loadBefore, loadavg()[0] ?? 0], rows };
}

/** One table line. */
export function describeDeployedRow(r: DeployedRow): string {
  const ms = (v: number | null): string => (v === null ? '—' : v.toFixed(1)).padStart(7);
  const label = `${r.model.padEnd(16)} ${r.target.padEnd(15)} ${r.method.padEnd(8)} ${`${r.format}${r.deployed ? '*' : ''}`.padEnd(11)}`;
  const ratio = (v: number | null): string => (v === null ? '—' : v.toFixed(2)).padStart(7);
  return `${label} ${ms(r.predictedMs)} ${ms(r.measuredMs)} ${ms(r.minMs)} ${ratio(r.ratio)} ${ratio(r.ratioMin)}${r.error ? `  (${r.error})` : ''}`;
}

/** The table header. */
export const DEPLOYED_HEADER = `${'model'.padEnd(16)} ${'target'.padEnd(15)} ${'method'.padEnd(8)} ${'bundle'.padEnd(11)} ${'pred ms'.padStart(7)} ${'median'.padStart(7)} ${'min'.padStart(7)} ${'p/med'.padStart(7)} ${'p/min'.padStart(7)}   (ms; * = the bundle the target deploys; p/med, p/min = predicted / measured; local is predicted by profiles/host.json)`;
