// Shared body of the training-step parity tests: one step on a backend vs the cpu reference with stock layers.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildSmallCnn, makeInitialWeights, trainStep, writeWeights, type StepResult } from './small-cnn.ts';
import { assertAllClose, assertClose } from './tensor-compare.ts';

const RTOL = 1e-4;

/** The reference: stock tfjs-layers classes on the pure-JS cpu backend. */
export async function referenceStep(init: Float32Array[]): Promise<StepResult> {
  assert.ok(await tf.setBackend('cpu'));
  const model = buildSmallCnn();
  writeWeights(model, init);
  const result = trainStep(model, tf.train.sgd(0.1));
  model.dispose();
  return result;
}

/** Loads the small CNN as the pipeline does (from JSON, so the registered fast BN class applies). */
export async function loadSmallCnn(): Promise<tf.LayersModel> {
  const built = buildSmallCnn();
  const model = await tf.models.modelFromJSON({ modelTopology: built.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
  built.dispose();
  return model;
}

/** Runs one step on `tfjsBackend` and asserts loss, gradients and updated weights match the reference. */
export async function assertStepMatchesReference(tfjsBackend: string): Promise<void> {
  assert.ok(await tf.setBackend('cpu'));
  const init = makeInitialWeights();
  const want = await referenceStep(init);
  assert.ok(await tf.setBackend(tfjsBackend));
  const model = await loadSmallCnn();
  const bn = model.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
  assert.notEqual(bn.constructor, tf.layers.batchNormalization({}).constructor, 'the fused batch-norm class is in use');
  writeWeights(model, init);
  const got = trainStep(model, tf.train.sgd(0.1));
  model.dispose();
  assertClose(got.loss, want.loss, RTOL, 'loss');
  assertAllClose(got.grads, want.grads, RTOL, 'gradient', true);
  assertAllClose(got.weightsAfter, want.weightsAfter, RTOL, 'weights after SGD (incl. BN moving statistics)');
}

/** Trains a few steps with momentum on `tfjsBackend` and asserts the live tensor count stays flat. */
export async function assertNoTensorLeak(tfjsBackend: string): Promise<void> {
  assert.ok(await tf.setBackend(tfjsBackend));
  const model = await loadSmallCnn();
  const optimizer = tf.train.momentum(0.05, 0.9);
  const counts: number[] = [];
  for (let i = 0; i < 4; i++) {
    tf.tidy(() => {
      trainStep(model, optimizer);
    });
    counts.push(tf.memory().numTensors);
  }
  model.dispose();
  optimizer.dispose();
  assert.deepEqual(counts.slice(1), [counts[1], counts[1], counts[1]], `tensor count across steps: ${counts.join(', ')}`);
}
