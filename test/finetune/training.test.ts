// Training runtime: exact BN re-estimation, accuracy matching a plain forward pass, and leak-free steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fillBatch } from '../../src/data/batches.ts';
import { sampleDataset, type ImageDataset } from '../../src/data/dataset.ts';
import { loadImageFolder } from '../../src/data/image-folder.ts';
import { normalizationTable } from '../../src/data/normalization.ts';
import { reestimateBatchNorm } from '../../src/runtime/train-bn.ts';
import { evaluateAccuracy } from '../../src/runtime/train-eval.ts';
import { buildTrainableModel } from '../../src/runtime/train-model.ts';
import { createTrainer } from '../../src/runtime/training.ts';
import { CIFAR_NORMALIZATION, makeTinyCnn } from './helpers.ts';
import { SAMPLE_DATA } from '../helpers/sample-data.ts';

let decoded: Promise<ImageDataset> | undefined;

/** 400 images of the bundled CIFAR-10 subset (decoded once per file, without the on-disk cache). */
function someImages(): Promise<ImageDataset> {
  decoded ??= loadImageFolder(join(SAMPLE_DATA, 'test'), { size: [32, 32], cacheDir: false }).then(({ dataset }) => sampleDataset(dataset, 400, 1));
  return decoded;
}

test('reestimateBatchNorm sets the first BN layer to the exact average of its batch means and variances', async () => {
  const data = await someImages();
  const bundle = await makeTinyCnn(3);
  const batch = 50;
  const batches = 4;
  const result = await reestimateBatchNorm(bundle, data, { batch, batches, seed: 9 });
  assert.notEqual(result, bundle);
  // Independent reference: conv1 outputs (nothing before bn1 depends on BN mode), per-batch moments.
  const model = await buildTrainableModel(bundle);
  const conv1 = tf.model({ inputs: model.inputs, outputs: model.getLayer('conv1').output as tf.SymbolicTensor });
  const { shuffledIndices } = await import('../../src/data/dataset.ts');
  const order = shuffledIndices(data.labels.length, 9);
  const lut = normalizationTable(CIFAR_NORMALIZATION, 3);
  const input = new Float32Array(batch * 3072);
  const sumMean = new Float64Array(8);
  const sumVar = new Float64Array(8);
  for (let k = 0; k < batches; k++) {
    fillBatch(data, order.subarray(k * batch, (k + 1) * batch), lut, input);
    const [mean, variance] = tf.tidy(() => {
      const m = tf.moments(conv1.predict(tf.tensor(input, [batch, 32, 32, 3])) as tf.Tensor, [0, 1, 2]);
      return [m.mean.dataSync(), m.variance.dataSync()];
    });
    for (let c = 0; c < 8; c++) {
      sumMean[c] = (sumMean[c] as number) + (mean?.[c] as number) / batches;
      sumVar[c] = (sumVar[c] as number) + (variance?.[c] as number) / batches;
    }
  }
  model.dispose();
  const get = (name: string): Float32Array => result.weights.find((w) => w.name === name)?.data as Float32Array;
  for (let c = 0; c < 8; c++) {
    assert.ok(Math.abs((get('bn1/moving_mean')[c] as number) - (sumMean[c] as number)) <= 1e-4 * (1 + Math.abs(sumMean[c] as number)), `mean ${c}`);
    assert.ok(Math.abs((get('bn1/moving_variance')[c] as number) - (sumVar[c] as number)) <= 1e-4 * (1 + (sumVar[c] as number)), `variance ${c}`);
  }
  // Everything but the moving statistics is untouched.
  for (const w of result.weights) {
    if (/moving_/.test(w.name)) continue;
    assert.deepEqual(w.data, bundle.weights.find((x) => x.name === w.name)?.data, w.name);
  }
});

test('evaluateAccuracy counts argmax hits of the plain forward pass', async () => {
  const data = await someImages();
  const bundle = await reestimateBatchNorm(await makeTinyCnn(4), data);
  const { accuracy, n } = await evaluateAccuracy(bundle, data, { batch: 64 });
  assert.equal(n, 400);
  const model = await buildTrainableModel(bundle);
  const input = new Float32Array(400 * 3072);
  fillBatch(data, Array.from({ length: 400 }, (_, i) => i), normalizationTable(CIFAR_NORMALIZATION, 3), input);
  const predicted = tf.tidy(() => (tf.argMax(model.predict(tf.tensor(input, [400, 32, 32, 3])) as tf.Tensor, 1).dataSync()));
  model.dispose();
  const hits = Array.from(predicted).reduce((s, p, i) => s + (p === data.labels[i] ? 1 : 0), 0);
  assert.equal(accuracy, hits / 400);
});

test('training steps lower the loss on the batch and leak no tensors', async () => {
  const data = await someImages();
  const student = await makeTinyCnn(5);
  const teacher = await makeTinyCnn(6);
  const trainer = await createTrainer(student, { teacher, weightDecay: 5e-4 });
  try {
    const batch = 64;
    const input = new Float32Array(batch * 3072);
    const labels = data.labels.slice(0, batch);
    fillBatch(data, Array.from({ length: batch }, (_, i) => i), normalizationTable(CIFAR_NORMALIZATION, 3), input);
    trainer.step(input, labels, 0.05);
    const tensors = trainer.tensorCount();
    const first = trainer.step(input, labels, 0.05);
    let last = first;
    for (let i = 0; i < 10; i++) last = trainer.step(input, labels, 0.05);
    assert.ok(last < first * 0.8, `loss ${first} → ${last}`);
    assert.equal(trainer.tensorCount(), tensors, 'tensor count is flat across steps');
    const snapshot = trainer.snapshot();
    assert.deepEqual(snapshot.weights.map((w) => w.name), student.weights.map((w) => w.name));
    assert.notDeepEqual(snapshot.weights.find((w) => w.name === 'bn1/moving_mean')?.data, student.weights.find((w) => w.name === 'bn1/moving_mean')?.data, 'BN trains in training mode');
  } finally {
    trainer.dispose();
  }
});
