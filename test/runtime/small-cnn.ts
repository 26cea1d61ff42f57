// A small CNN with every layer kind the foundation supports, and one SGD training step, for backend parity tests.
import * as tf from '@tensorflow/tfjs';
import { seeded } from './tensor-compare.ts';

/** Conv2D, DepthwiseConv2D, SeparableConv2D, BN, ReLU/ReLU6, Add, max/avg/global pooling, Concatenate, Flatten, Dense. */
export function buildSmallCnn(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  const relu = (t: tf.SymbolicTensor) => tf.layers.reLU().apply(t) as tf.SymbolicTensor;
  const a = relu(tf.layers.batchNormalization().apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }).apply(input)) as tf.SymbolicTensor);
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2 }).apply(a) as tf.SymbolicTensor;
  const b = tf.layers.reLU({ maxValue: 6 }).apply(tf.layers.batchNormalization().apply(dw)) as tf.SymbolicTensor;
  const c = tf.layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same' }).apply(b) as tf.SymbolicTensor;
  const d = tf.layers.add().apply([a, c]) as tf.SymbolicTensor;
  const e = tf.layers.maxPooling2d({ poolSize: 2 }).apply(d) as tf.SymbolicTensor;
  const f = tf.layers.averagePooling2d({ poolSize: 2 }).apply(d) as tf.SymbolicTensor;
  const g = tf.layers.concatenate().apply([e, f]) as tf.SymbolicTensor;
  const h = tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(g) as tf.SymbolicTensor;
  const i = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const j = tf.layers.globalAveragePooling2d({}).apply(g) as tf.SymbolicTensor;
  const k = tf.layers.concatenate().apply([i, j]) as tf.SymbolicTensor;
  const l = tf.layers.dense({ units: 8, activation: 'relu6' }).apply(k) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5 }).apply(l) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** The model's weights as plain arrays (trainable and moving statistics, in model order). */
export function readWeights(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => new Float32Array(w.dataSync()));
}

/** Sets weights from plain arrays (tensors made on the current backend). */
export function writeWeights(model: tf.LayersModel, values: Float32Array[]): void {
  const tensors = model.getWeights().map((w, i) => tf.tensor(values[i]!, w.shape, 'float32'));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Everything one training step produced: loss, gradients of the trainable weights, and all weights after SGD. */
export interface StepResult {
  loss: Float32Array;
  grads: Float32Array[];
  weightsAfter: Float32Array[];
}

/** One training step (softmax cross-entropy, SGD lr 0.1) on seeded data; gradients read before the update. */
export function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer): StepResult {
  const x = seeded([4, 8, 8, 3], 21);
  const labels = tf.oneHot(tf.tensor1d([0, 3, 1, 4], 'int32'), 5);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
  const result: StepResult = {
    loss: new Float32Array(value.dataSync()),
    grads: vars.map((v) => new Float32Array(grads[v.name]!.dataSync())),
    weightsAfter: [],
  };
  optimizer.applyGradients(grads);
  tf.dispose([value, x, labels, ...Object.values(grads)]);
  result.weightsAfter = readWeights(model);
  return result;
}

/** Initial weights, made once on the current backend (glorot init) and reused for every backend. */
export function makeInitialWeights(): Float32Array[] {
  const model = buildSmallCnn();
  // Non-trivial BN statistics and affine params so the test exercises every term.
  const values = readWeights(model).map((w, i) => (w.every((v) => v === 0 || v === 1) ? w.map((_, k) => (w[0] === 1 ? 1 : 0) + 0.1 * Math.sin(k + i)) : w));
  model.dispose();
  return values;
}
