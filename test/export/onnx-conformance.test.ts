// ONNX emitters checked against ONNX's own conformance cases (committed in test/export/conformance): same input, same output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { convertNchwToNhwc } from '../../src/export/parity.ts';
import { dequantizeUint8 } from '../../src/export/quantize.ts';
import { predict } from '../../src/runtime/layers-model.ts';
import { bundleFromModel, CONFORMANCE_DIR, maxAbsDiff, readConformanceTensor, runOnnxExport, setWeights } from './helpers.ts';

/** Input/output tensors of a conformance case. */
function conformanceCase(name: string, inputs: number): { x: ReturnType<typeof readConformanceTensor>[]; y: ReturnType<typeof readConformanceTensor> } {
  const dir = join(CONFORMANCE_DIR, name, 'test_data_set_0');
  return {
    x: Array.from({ length: inputs }, (_, i) => readConformanceTensor(join(dir, `input_${i}.pb`))),
    y: readConformanceTensor(join(dir, 'output_0.pb')),
  };
}

/** Build a one-input sequential model from layers. */
function sequential(layers: tf.layers.Layer[]): tf.LayersModel {
  const model = tf.sequential();
  for (const l of layers) model.add(l);
  return model;
}

/** Check a Keras image layer's ONNX export (NCHW in, NCHW out) and its tfjs output against one conformance case. */
async function checkImageCase(name: string, build: () => tf.LayersModel, weights: (x: ReturnType<typeof readConformanceTensor>[]) => Record<string, Float32Array> = () => ({})): Promise<void> {
  const { x, y } = conformanceCase(name, 1 + Object.keys(weights([])).length);
  const input = x[0] as { dims: number[]; data: Float32Array };
  const bundle = setWeights(await bundleFromModel(build), weights(x));
  const onnx = await runOnnxExport(bundle, input.data, input.dims);
  assert.deepEqual(onnx.dims, y.dims, `${name}: output dims`);
  assert.ok(maxAbsDiff(onnx.data, y.data) <= 1e-5, `${name}: ONNX export vs conformance output, max diff ${maxAbsDiff(onnx.data, y.data)}`);
  // The Keras layer itself (tfjs, channels-last) agrees with the same conformance output.
  const [n, c, h, w] = input.dims as [number, number, number, number];
  const nhwc = convertNchwToNhwc(input.data, [n, h, w, c]);
  const ref = await predict(bundle, nhwc, [n, h, w, c]);
  const [, oc, oh, ow] = y.dims as [number, number, number, number];
  assert.ok(maxAbsDiff(ref, convertNchwToNhwc(y.data as Float32Array, [n, oh, ow, oc])) <= 1e-5, `${name}: tfjs Keras layer vs conformance output`);
}

test('Keras same average pooling (padding excluded) = ONNX AveragePool SAME_UPPER', async () => {
  await checkImageCase('test_averagepool_2d_same_upper', () => sequential([tf.layers.averagePooling2d({ name: 'pool', poolSize: 2, strides: 1, padding: 'same', inputShape: [32, 32, 3] })]));
});

test('Keras same max pooling = ONNX MaxPool SAME_UPPER', async () => {
  await checkImageCase('test_maxpool_2d_same_upper', () => sequential([tf.layers.maxPooling2d({ name: 'pool', poolSize: 2, strides: 1, padding: 'same', inputShape: [32, 32, 3] })]));
});

test('Conv2D stride 2 same padding matches test_conv_with_autopad_same', async () => {
  await checkImageCase(
    'test_conv_with_autopad_same',
    () => sequential([tf.layers.conv2d({ name: 'conv', filters: 1, kernelSize: 3, strides: 2, padding: 'same', useBias: false, inputShape: [5, 5, 1] })]),
    (x) => (x.length ? { 'conv/kernel': x[1]?.data as Float32Array } : { 'conv/kernel': new Float32Array(0) }),
  );
});

test('ZeroPadding2D + Conv2D valid matches test_conv_with_strides_and_asymmetric_padding', async () => {
  await checkImageCase(
    'test_conv_with_strides_and_asymmetric_padding',
    () =>
      sequential([
        tf.layers.zeroPadding2d({ name: 'pad', padding: [[1, 1], [0, 0]], inputShape: [7, 5, 1] }),
        tf.layers.conv2d({ name: 'conv', filters: 1, kernelSize: 3, strides: 2, padding: 'valid', useBias: false }),
      ]),
    (x) => (x.length ? { 'conv/kernel': x[1]?.data as Float32Array } : { 'conv/kernel': new Float32Array(0) }),
  );
});

test('BatchNormalization (kept) matches test_batchnorm_epsilon', async () => {
  const roles = ['gamma', 'beta', 'moving_mean', 'moving_variance'];
  await checkImageCase(
    'test_batchnorm_epsilon',
    () => sequential([tf.layers.batchNormalization({ name: 'bn', epsilon: 0.01, inputShape: [4, 5, 3] })]),
    (x) => Object.fromEntries(roles.map((r, i) => [`bn/${r}`, (x[i + 1]?.data as Float32Array) ?? new Float32Array(0)])),
  );
});

test('Dense matches test_gemm_default_vector_bias', async () => {
  const { x, y } = conformanceCase('test_gemm_default_vector_bias', 3);
  const bundle = setWeights(await bundleFromModel(() => sequential([tf.layers.dense({ name: 'fc', units: 4, inputShape: [7] })])), {
    'fc/kernel': x[1]?.data as Float32Array,
    'fc/bias': x[2]?.data as Float32Array,
  });
  const out = await runOnnxExport(bundle, x[0]?.data as Float32Array, x[0]?.dims as number[]);
  assert.ok(maxAbsDiff(out.data, y.data) <= 1e-5);
});

test('LeakyReLU and Softmax(axis 1) on non-image tensors match their conformance cases', async () => {
  const leaky = conformanceCase('test_leakyrelu', 1);
  const b1 = await bundleFromModel(() => sequential([tf.layers.leakyReLU({ name: 'leaky', alpha: 0.1, inputShape: [4, 5] })]));
  const o1 = await runOnnxExport(b1, leaky.x[0]?.data as Float32Array, leaky.x[0]?.dims as number[]);
  assert.ok(maxAbsDiff(o1.data, leaky.y.data) <= 1e-6);
  const soft = conformanceCase('test_softmax_axis_1', 1);
  const b2 = await bundleFromModel(() => sequential([tf.layers.softmax({ name: 'softmax', axis: 1, inputShape: [4, 5] })]));
  const o2 = await runOnnxExport(b2, soft.x[0]?.data as Float32Array, soft.x[0]?.dims as number[]);
  assert.ok(maxAbsDiff(o2.data, soft.y.data) <= 1e-6);
});

test('uint8 weight codec agrees with ONNX DequantizeLinear semantics', () => {
  const { x, y } = conformanceCase('test_dequantizelinear', 3);
  const values = x[0]?.data as Uint8Array;
  const scale = (x[1]?.data as Float32Array)[0] as number;
  const zeroPoint = (x[2]?.data as Uint8Array)[0] as number;
  assert.deepEqual(Array.from(dequantizeUint8({ values, scale, zeroPoint })), Array.from(y.data));
});
