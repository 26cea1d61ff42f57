// Per-output fidelity of a dense-prediction model (detector, segmenter) to its unpruned self on images: relative squared error per raw output.
import * as tf from '@tensorflow/tfjs';
import type { ModelBundle } from '../core/types.ts';
import { fillBatch } from '../data/batches.ts';
import { countImages, imageBytes, type ImageDataset } from '../data/dataset.ts';
import { DEFAULT_NORMALIZATION, normalizationTable, readNormalization } from '../data/normalization.ts';
import type { RunData } from '../data/run-data.ts';
import { ensureTrainingBackend } from './train-backend.ts';
import { reestimateBatchNorm } from './train-bn.ts';
import { buildTrainableModel } from './train-model.ts';

/** An output's spread (sum of squared deviations) is floored at this share of its energy (sum of squares) in fidelity and distillation. */
export const SPREAD_FLOOR = 0.01;

/** One raw output's relative error: Σ(y − r)² / max(Σ(r − mean r)², SPREAD_FLOOR·Σr²) (0 = identical; 1 = no better than the mean). */
export interface OutputError {
  name: string;
  relativeError: number;
}

/** Per-output errors and their summary score, 1 − mean relative error (clamped to 0). */
export interface OutputFidelity {
  outputs: OutputError[];
  score: number;
  n: number;
}

/** Every raw output of a model on every image of `data`, each flattened in image order. */
export async function predictAllOutputs(bundle: ModelBundle, data: ImageDataset, batch = 16): Promise<Float32Array[]> {
  await ensureTrainingBackend();
  const model = await buildTrainableModel(bundle);
  const lut = normalizationTable(readNormalization(bundle) ?? DEFAULT_NORMALIZATION, data.shape[2]);
  const n = countImages(data);
  const buffer = new Float32Array(batch * imageBytes(data));
  const indices = new Int32Array(batch);
  const chunks: Float32Array[][] = model.outputs.map(() => []);
  try {
    for (let start = 0; start < n; start += batch) {
      const count = Math.min(batch, n - start);
      for (let k = 0; k < count; k++) indices[k] = start + k;
      fillBatch(data, indices.subarray(0, count), lut, buffer);
      const outs = tf.tidy(() => {
        const y = model.apply(tf.tensor(buffer.subarray(0, count * imageBytes(data)), [count, ...data.shape]), { training: false });
        return (Array.isArray(y) ? y : [y]) as tf.Tensor[];
      });
      for (const [k, t] of outs.entries()) {
        chunks[k]?.push(Float32Array.from((await t.data()) as Float32Array));
        t.dispose();
      }
    }
  } finally {
    model.dispose();
  }
  return chunks.map((list) => {
    const out = new Float32Array(list.reduce((a, c) => a + c.length, 0));
    let at = 0;
    for (const c of list) { out.set(c, at); at += c.length; }
    return out;
  });
}

/** Relative squared error of each output against the reference's, named by the source's output names. */
export function compareRawOutputs(bundle: ModelBundle, own: readonly Float32Array[], reference: readonly Float32Array[], n: number): OutputFidelity {
  // The source tensor names import recorded (userDefinedMetadata.edgePrune.source.outputs), by layer.
  const source = (bundle.meta['userDefinedMetadata'] as { edgePrune?: { source?: { outputs?: { name?: unknown; layer?: unknown }[] } } } | undefined)?.edgePrune?.source;
  const names: Record<string, string> = Object.fromEntries((source?.outputs ?? []).filter((o) => typeof o.name === 'string' && typeof o.layer === 'string').map((o) => [o.layer as string, o.name as string]));
  const layers = ((bundle.topology['config'] as { output_layers?: unknown[][] } | undefined)?.output_layers ?? []).map((o) => String(o[0]));
  const outputs = reference.map((r, k) => {
    const y = own[k] ?? new Float32Array(r.length);
    let mean = 0;
    for (const v of r) mean += v;
    mean /= Math.max(1, r.length);
    let err = 0;
    let spread = 0;
    let energy = 0;
    for (let i = 0; i < r.length; i++) {
      err += ((y[i] as number) - (r[i] as number)) ** 2;
      spread += ((r[i] as number) - mean) ** 2;
      energy += (r[i] as number) ** 2;
    }
    // An output that barely varies on these images (a score map without objects) is judged against a share of its energy instead.
    spread = Math.max(spread, SPREAD_FLOOR * energy);
    const layer = layers[k] ?? `output ${k}`;
    return { name: names[layer] ?? layer, relativeError: spread > 0 ? err / spread : err > 0 ? Number.POSITIVE_INFINITY : 0 };
  });
  const mean = outputs.reduce((a, o) => a + o.relativeError, 0) / Math.max(1, outputs.length);
  return { outputs, score: Math.max(0, 1 - mean), n };
}

/** Per-output fidelity of `bundle` to the reference outputs (the unpruned model's on the same images). */
export async function measureOutputFidelity(bundle: ModelBundle, reference: readonly Float32Array[], data: ImageDataset): Promise<OutputFidelity> {
  return compareRawOutputs(bundle, await predictAllOutputs(bundle, data), reference, countImages(data));
}

/**
 * The search's label-free candidate quality for dense-prediction models: output fidelity score to
 * the unpruned model on the held-out search subset, after BatchNorm re-estimation (seeded).
 */
export async function candidateOutputFidelity(data: Pick<RunData, 'searchBn' | 'searchEval'>, original: ModelBundle, seed: number): Promise<(candidate: ModelBundle) => Promise<number>> {
  const reference = await predictAllOutputs(original, data.searchEval);
  return async (candidate) => (await measureOutputFidelity(await reestimateBatchNorm(candidate, data.searchBn, { seed }), reference, data.searchEval)).score;
}
