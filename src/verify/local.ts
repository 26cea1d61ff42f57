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
 * Measure a bundle on the host: TF.js bundles (Layers or graph model) on tfjs's wasm backend in
 * Node, ONNX models on onnxruntime-node. The runtimes load only when needed.
 */
export async function measureLocal(bundle: ExportedBundle, settings: LocalSettings): Promise<RawTiming> {
  const entry = join(bundle.root, bundle.entry);
  if (bundle.format === 'onnx') {
    const { measureOnnxModel } = await import('../runtime/measure-onnx.ts');
    return measureOnnxModel(entry, { inputDims: inputDimsOf(bundle), warmup: settings.warmup, runs: settings.runs, threads: settings.threads });
  }
  const { measureTfjsBundle } = await import('../runtime/measure-tfjs.ts');
  return measureTfjsBundle(entry, { format: bundle.format, inputShape: bundle.inputShape, warmup: settings.warmup, runs: settings.runs, threads: settings.threads });
}
