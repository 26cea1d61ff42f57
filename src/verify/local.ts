// The local method: the exported bundle on this host's runtime (tfjs wasm in Node, or onnxruntime-node).
import { join } from 'node:path';
import { inputDimsOf, type ExportedBundle } from './export-folder.ts';
import type { RawTiming } from './types.ts';

/** How many runs and threads. */
export interface LocalSettings {
  warmup: number;
  runs: number;
  threads: number;
}

/**
 * Measure a bundle on the host with the engine timers calibration also uses (src/runtime/timer-*.ts):
 * TF.js bundles (Layers or graph model) on tfjs's wasm backend in Node, ONNX models on
 * onnxruntime-node; cold run, `warmup` untimed runs, `runs` timed runs. The runtimes load only when needed.
 */
export async function measureLocal(bundle: ExportedBundle, settings: LocalSettings): Promise<RawTiming> {
  const entry = join(bundle.root, bundle.entry);
  if (bundle.format === 'onnx') {
    const { measureOnnx } = await import('../runtime/timer-onnx.ts');
    return measureOnnx(entry, { inputDims: inputDimsOf(bundle), warmup: settings.warmup, runs: settings.runs, threads: settings.threads });
  }
  const { measureTfjs } = await import('../runtime/timer-tfjs.ts');
  return measureTfjs({ modelJsonPath: entry, format: bundle.format, inputShape: bundle.inputShape }, { warmup: settings.warmup, runs: settings.runs, threads: settings.threads });
}
