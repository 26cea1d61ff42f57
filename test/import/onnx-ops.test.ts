// Operator variants the PyTorch fixtures do not reach, as small hand-built graphs checked against onnxruntime.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { isEdgePruneError } from '../../src/core/errors.ts';
import { convertNchwToNhwc, convertNhwcToNchw } from '../../src/export/parity.ts';
import { createFloatTensor, createInt64Tensor, createValueInfo, encodeAttrs, encodeModel, type OnnxAttrs } from '../../src/export/onnx-tensors.ts';
import { importOnnx } from '../../src/import/onnx/import-onnx.ts';
import { predictOutputs } from '../../src/runtime/layers-model.ts';
import { createOnnxSession } from '../../src/runtime/onnx-session.ts';
import { createRng, hashSeed } from '../fixtures/random.ts';
import { compareToReference } from './helpers.ts';

const work = await mkdtemp(join(tmpdir(), 'edge-prune-onnx-ops-'));
after(() => rm(work, { recursive: true, force: true }));

/** A node of a hand-built graph. */
type Node = [op: string, inputs: string[], output: string, attrs?: OnnxAttrs];

/** Seeded float values. */
function values(n: number, tag: string, scale = 0.5): Float32Array {
  const rng = createRng(hashSeed(tag));
  return Float32Array.from({ length: n }, () => rng.normal(0, scale));
}

/** Write a model: input x of `dims` (batch symbolic), the nodes, float/int64 initializers, output y. */
async function build(name: string, opset: number, dims: number[], nodes: Node[], floats: Record<string, number[]>, ints: Record<string, number[]> = {}): Promise<string> {
  const initializer: OnnxTypes.ITensorProto[] = [
    // Tensors named `var` hold variances: kept positive.
    ...Object.entries(floats).map(([n, d]) => createFloatTensor(n, d, values(d.reduce((a, b) => a * b, 1), `${name}/${n}`).map((v) => (n === 'var' ? 0.5 + Math.abs(v) : v)))),
    ...Object.entries(ints).map(([n, v]) => createInt64Tensor(n, [v.length], v)),
  ];
  const model: OnnxTypes.IModelProto = {
    irVersion: 7,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name,
      node: nodes.map(([op, input, output, attrs]) => ({ name: `${op}_${output}`, opType: op, input, output: [output], attribute: encodeAttrs(attrs ?? {}) })),
      initializer,
      input: [createValueInfo('x', ['batch', ...dims])],
      output: [{ name: 'y' }],
    },
  };
  const path = join(work, `${name}.onnx`);
  await writeFile(path, encodeModel(model));
  return path;
}

/** Import a model and compare it with onnxruntime on a seeded batch of 2. */
async function assertMatches(path: string, dims: number[]): Promise<void> {
  const bundle = await importOnnx(path);
  const image = dims.length === 3;
  const [c, h, w] = dims as [number, number, number];
  const nhwc = image ? [2, h, w, c] : [2, ...dims];
  const input = values(nhwc.reduce((a, b) => a * b, 1), `${path}/input`, 1.5);
  const session = await createOnnxSession(path);
  let reference: Float32Array;
  try {
    const ran = await session.run({ x: image ? { data: convertNhwcToNchw(input, nhwc), dims: [2, c, h, w] } : { data: input, dims: nhwc } });
    const t = ran['y'] as { data: Float32Array; dims: number[] };
    reference = t.dims.length === 4 ? convertNchwToNhwc(t.data, [2, t.dims[2] as number, t.dims[3] as number, t.dims[1] as number]) : t.data;
  } finally {
    await session.release();
  }
  const [got] = await predictOutputs(bundle, input, nhwc);
  const { maxDiff, tolerance } = compareToReference(reference, got!);
  assert.ok(maxDiff <= tolerance, `max |diff| ${maxDiff} > ${tolerance}`);
}

describe('ONNX operator variants', () => {
  it('Gemm with alpha, beta and transB 0 on a [batch, features] input, then Identity and Dropout', async () => {
    const path = await build('gemm', 13, [6], [
      ['Gemm', ['x', 'b', 'c'], 'g', { alpha: { float: 0.5 }, beta: { float: 2 }, transB: { int: 0 } }],
      ['Identity', ['g'], 'i'],
      ['Dropout', ['i'], 'y'],
    ], { b: [6, 4], c: [4] });
    await assertMatches(path, [6]);
  });

  it('Pad with pads and axes inputs (opset 18), Gemm → BatchNormalization on vectors', async () => {
    const path = await build('pad-axes', 18, [3, 6, 6], [
      ['Pad', ['x', 'pads', '', 'axes'], 'p'],
      ['Conv', ['p', 'w'], 'c', { kernel_shape: { ints: [3, 3] } }],
      ['Flatten', ['c'], 'f', { axis: { int: 1 } }],
      ['Gemm', ['f', 'g', 'gb'], 'd', { transB: { int: 1 } }],
      ['BatchNormalization', ['d', 'scale', 'bias', 'mean', 'var'], 'y', { epsilon: { float: 1e-3 } }],
    ], { w: [4, 3, 3, 3], g: [5, 4 * 5 * 4], gb: [5], scale: [5], bias: [5], mean: [5], var: [5] }, { pads: [1, 0, 0, 0], axes: [2, 3] });
    await assertMatches(path, [3, 6, 6]);
  });

  it('Pad with a pads input (opset 13), SAME_UPPER and SAME_LOWER convolutions at stride 2, a 0.2x+0.5 HardSigmoid', async () => {
    const path = await build('pad-autopad', 13, [3, 9, 8], [
      ['Pad', ['x', 'pads'], 'p'],
      ['Conv', ['p', 'w1', 'b1'], 'c1', { auto_pad: { string: 'SAME_UPPER' }, kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] } }],
      ['Conv', ['c1', 'w2'], 'c2', { auto_pad: { string: 'SAME_LOWER' }, kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } }],
      ['HardSigmoid', ['c2'], 'y'],
    ], { w1: [5, 3, 3, 3], b1: [5], w2: [4, 5, 2, 2] }, { pads: [0, 0, 1, 2, 0, 0, 2, 0] });
    await assertMatches(path, [3, 9, 8]);
  });

  it('AveragePool with pads and count_include_pad 1, MaxPool with ceil_mode where it changes nothing, GlobalMaxPool', async () => {
    const path = await build('pools', 11, [4, 8, 8], [
      ['AveragePool', ['x'], 'a', { count_include_pad: { int: 1 }, kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] }, strides: { ints: [2, 2] } }],
      ['MaxPool', ['a'], 'm', { ceil_mode: { int: 1 }, kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } }],
      ['Conv', ['m', 'w'], 'c', { kernel_shape: { ints: [1, 1] } }],
      ['GlobalMaxPool', ['c'], 'g'],
      ['Flatten', ['g'], 'f', { axis: { int: 1 } }],
      ['Softmax', ['f'], 'y'],
    ], { w: [6, 4, 1, 1] });
    await assertMatches(path, [4, 8, 8]);
  });

  it('MaxPool padding that Keras cannot reproduce on a signed input is UNSUPPORTED_OP', async () => {
    const path = await build('maxpool-signed', 13, [2, 8, 8], [
      ['MaxPool', ['x'], 'y', { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] }, strides: { ints: [2, 2] } }],
    ], {});
    await assert.rejects(importOnnx(path), (e: unknown) => isEdgePruneError(e) && e.code === 'UNSUPPORTED_OP' && /MaxPool/.test(e.message));
  });

  it('MaxPool with ceil_mode adding a partial window (GoogLeNet) on a ReLU output: zero padding at the end', async () => {
    const path = await build('ceil-max', 13, [2, 8, 8], [
      ['Relu', ['x'], 'r'],
      ['MaxPool', ['r'], 'y', { ceil_mode: { int: 1 }, kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] }, strides: { ints: [2, 2] } }],
    ], {});
    await assertMatches(path, [2, 8, 8]);
  });

  it('ceil_mode adding a partial window is UNSUPPORTED_OP for AveragePool, and for MaxPool on a signed input', async () => {
    const avg = await build('ceil-avg', 13, [2, 7, 7], [
      ['AveragePool', ['x'], 'y', { ceil_mode: { int: 1 }, kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } }],
    ], {});
    await assert.rejects(importOnnx(avg), (e: unknown) => isEdgePruneError(e) && e.code === 'UNSUPPORTED_OP' && /ceil_mode/.test(e.message));
    const max = await build('ceil-max-signed', 13, [2, 8, 8], [
      ['MaxPool', ['x'], 'y', { ceil_mode: { int: 1 }, kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] }, strides: { ints: [2, 2] } }],
    ], {});
    await assert.rejects(importOnnx(max), (e: unknown) => isEdgePruneError(e) && e.code === 'UNSUPPORTED_OP' && /MaxPool/.test(e.message));
  });

  it('Concat of a single tensor (DenseNet\'s first block) passes it through', async () => {
    const path = await build('concat-one', 13, [3, 6, 6], [
      ['Conv', ['x', 'w'], 'c', { kernel_shape: { ints: [1, 1] } }],
      ['Concat', ['c'], 'y', { axis: { int: 1 } }],
    ], { w: [4, 3, 1, 1] });
    await assertMatches(path, [3, 6, 6]);
  });

  it('a 3000-node chain of Conv and HardSwish imports without exhausting the stack', async () => {
    const nodes: Node[] = Array.from({ length: 3000 }, (_, i): Node => {
      const input = i === 0 ? 'x' : `t${i - 1}`;
      const output = i === 2999 ? 'y' : `t${i}`;
      return i % 2 === 0 ? ['Conv', [input, 'w'], output, { kernel_shape: { ints: [1, 1] } }] : ['HardSwish', [input], output];
    });
    const path = await build('deep-chain', 14, [2, 4, 4], nodes, { w: [2, 2, 1, 1] });
    const bundle = await importOnnx(path);
    const layers = (bundle.topology['config'] as { layers: unknown[] }).layers;
    assert.equal(layers.length, 3001, 'the input and one layer per node');
  });
});
