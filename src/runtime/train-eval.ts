// Accuracy of a bundle on a dataset (inference mode, batched) on the training backend.
import * as tf from '@tensorflow/tfjs';
import { fail } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { ModelBundle } from '../core/types.ts';
import { fillBatch } from '../data/batches.ts';
import { countImages, imageBytes, type ImageDataset } from '../data/dataset.ts';
import { DEFAULT_NORMALIZATION, modelInputShape, normalizationTable, readNormalization, type Normalization } from '../data/normalization.ts';
import { buildGraph } from '../analyze/graph.ts';
import { ensureTrainingBackend } from './train-backend.ts';
import { buildTrainableModel, singleOutput } from './train-model.ts';

/** Options of evaluation. */
export interface EvaluateOptions {
  /** Input normalization (default: the model's metadata, else pixels / 255). */
  normalization?: Normalization;
  /** Images per forward pass (default 256). */
  batch?: number;
  /** Backend (default: the fastest training backend available). */
  backend?: string;
  logger?: Logger;
}

/** Top-1 accuracy and the number of images it was measured on. */
export interface AccuracyResult {
  accuracy: number;
  n: number;
}

/** Check that a dataset's images fit the model's input and its classes match the model's outputs. */
export function requireDataFitsModel(bundle: ModelBundle, data: ImageDataset): void {
  const shape = modelInputShape(bundle);
  if (shape.join('x') !== data.shape.join('x')) {
    fail('INVALID_DATA', { expected: `images of ${shape.join('×')} (the model input)`, found: data.shape.join('×'), where: data.source, hint: 'image folders are resized to the model input automatically; IDX data must already match it' });
  }
  const graph = buildGraph(bundle, { lockUnknown: true });
  const outputs = graph.nodes.find((n) => n.name === graph.outputs[0])?.outputShape.slice(-1)[0];
  if (!data.unlabelled && outputs !== data.classes.length) {
    fail('INVALID_DATA', { expected: `${outputs} classes (the model's outputs)`, found: `${data.classes.length} classes (${data.classes.slice(0, 5).join(', ')}${data.classes.length > 5 ? ', …' : ''})`, where: data.source, hint: 'the data must hold one sub-folder per class the model predicts, in the same order' });
  }
}

/** Run `model` over `data` in batches; calls `visit(batchStart, outputValues, batchCount)` per batch. */
export async function forEachPrediction(model: tf.LayersModel, data: ImageDataset, lut: Float32Array, batch: number, visit: (start: number, values: Float32Array, count: number) => void, logger: Logger = silentLogger): Promise<void> {
  const n = countImages(data);
  const buffer = new Float32Array(batch * imageBytes(data));
  const indices = new Int32Array(batch);
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    for (let k = 0; k < count; k++) indices[k] = start + k;
    fillBatch(data, indices.subarray(0, count), lut, buffer);
    const out = tf.tidy(() => singleOutput(model.apply(tf.tensor(buffer.subarray(0, count * imageBytes(data)), [count, ...data.shape]), { training: false })));
    try {
      visit(start, (await out.data()) as Float32Array, count);
    } finally {
      out.dispose();
    }
    logger.progress({ task: 'evaluate', done: start + count, total: n });
  }
}

/** Top-1 accuracy of a classifier bundle on a dataset (labels = output indices). */
export async function evaluateAccuracy(bundle: ModelBundle, data: ImageDataset, options: EvaluateOptions = {}): Promise<AccuracyResult> {
  if (data.unlabelled) {
    fail('INVALID_DATA', { expected: 'labelled images (one sub-folder per class) to measure accuracy', found: 'a flat folder of unlabelled images', where: data.source, hint: 'arrange the images in class sub-folders; unlabelled images serve agreement with the unpruned model and distillation only' });
  }
  requireDataFitsModel(bundle, data);
  await ensureTrainingBackend(options.backend, options.logger);
  const model = await buildTrainableModel(bundle);
  const lut = normalizationTable(options.normalization ?? readNormalization(bundle) ?? DEFAULT_NORMALIZATION, data.shape[2]);
  let correct = 0;
  try {
    await forEachPrediction(model, data, lut, options.batch ?? 256, (start, values, count) => {
      const classes = values.length / count;
      for (let k = 0; k < count; k++) {
        let best = 0;
        for (let j = 1; j < classes; j++) if ((values[k * classes + j] as number) > (values[k * classes + best] as number)) best = j;
        if (best === data.labels[start + k]) correct += 1;
      }
    }, options.logger);
  } finally {
    model.dispose();
  }
  const n = countImages(data);
  return { accuracy: n === 0 ? 0 : correct / n, n };
}
