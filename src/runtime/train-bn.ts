// BatchNormalization statistics re-estimation: exact averages of batch means and variances over N batches.
import * as tf from '@tensorflow/tfjs';
import type { ModelBundle } from '../core/types.ts';
import { fillBatch } from '../data/batches.ts';
import { countImages, imageBytes, shuffledIndices, type ImageDataset } from '../data/dataset.ts';
import { DEFAULT_NORMALIZATION, normalizationTable, readNormalization, type Normalization } from '../data/normalization.ts';
import { ensureTrainingBackend } from './train-backend.ts';
import { requireDataFitsModel } from './train-eval.ts';
import { buildTrainableModel, readModelWeights } from './train-model.ts';

/** Options of BN re-estimation. */
export interface ReestimateOptions {
  /** Images per batch (default 128). */
  batch?: number;
  /** Number of batches (default: enough for min(1024, all) images). */
  batches?: number;
  /** Seed of the image sample (default 0). */
  seed?: number;
  /** Input normalization (default: the model's metadata, else pixels / 255). */
  normalization?: Normalization;
  backend?: string;
}

/** A BatchNormalization layer whose moving-average momentum can be set per batch. */
interface MutableBatchNorm {
  momentum: number;
}

/**
 * Recompute every BatchNormalization layer's moving mean and variance from data: the model runs in
 * training mode (each BN normalizes with its batch statistics, as in training) over N batches of a
 * seeded sample, and the moving statistics become the exact average of the N batch means and
 * variances (momentum (k−1)/k on batch k). Returns a new bundle; the input is not changed. Use it
 * after pruning, when the old statistics no longer describe the pruned network's activations.
 */
export async function reestimateBatchNorm(bundle: ModelBundle, data: ImageDataset, options: ReestimateOptions = {}): Promise<ModelBundle> {
  requireDataFitsModel(bundle, data);
  await ensureTrainingBackend(options.backend);
  const n = countImages(data);
  const batch = Math.max(1, Math.min(options.batch ?? 128, n));
  const batches = Math.max(1, options.batches ?? Math.ceil(Math.min(1024, n) / batch));
  const order = shuffledIndices(n, options.seed ?? 0);
  const lut = normalizationTable(options.normalization ?? readNormalization(bundle) ?? DEFAULT_NORMALIZATION, data.shape[2]);
  const model = await buildTrainableModel(bundle);
  try {
    const norms = model.layers.filter((l) => l.getClassName() === 'BatchNormalization') as unknown as MutableBatchNorm[];
    if (norms.length === 0) return bundle;
    const buffer = new Float32Array(batch * imageBytes(data));
    const indices = new Int32Array(batch);
    for (let k = 0; k < batches; k++) {
      for (let j = 0; j < batch; j++) indices[j] = order[(k * batch + j) % n] as number;
      fillBatch(data, indices, lut, buffer);
      for (const layer of norms) layer.momentum = k / (k + 1);
      tf.tidy(() => {
        model.apply(tf.tensor(buffer, [batch, ...data.shape]), { training: true });
      });
    }
    return readModelWeights(model, bundle);
  } finally {
    model.dispose();
  }
}
