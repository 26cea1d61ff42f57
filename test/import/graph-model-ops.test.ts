// Hand-built graph models for ops and encodings the exporter never writes: parity with tf.loadGraphModel, and unsupported ops named.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JsonObject, ModelBundle } from '../../src/core/types.ts';
import { attr } from '../../src/export/graph-context.ts';
import { importGraphModel, type GraphImportOptions } from '../../src/import/graph-model/import-graph-model.ts';
import { predictOutputs } from '../../src/runtime/layers-model.ts';
import { randomInput } from '../fixtures/random.ts';
import { GraphDefWriter, fusedAttrs, windowAttrs } from './graph-def-writer.ts';
import { runGraphReference } from './graph-helpers.ts';
import { assertParity, assertPruneProperty } from './parity-helpers.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edge-prune-graphdef-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Class names of the imported topology's layers. */
function classes(bundle: ModelBundle): string[] {
  return ((bundle.topology['config'] as JsonObject)['layers'] as JsonObject[]).map((l) => l['class_name'] as string);
}

/** Import `path` and check parity with tf.loadGraphModel on a seeded input; returns the bundle. */
async function importWithParity(path: string, inputShape: number[], options: GraphImportOptions = {}): Promise<ModelBundle> {
  const bundle = await importGraphModel(path, options);
  const shape = [2, ...inputShape];
  const input = randomInput(shape, 5);
  const want = await runGraphReference(path, input, shape, options.outputs);
  assertParity(await predictOutputs(bundle, input, shape), want, path);
  return bundle;
}

describe('hand-built graph models', () => {
  it('Relu6 written as Minimum/Maximum and ClipByValue, AddN, Mean then MatMul', async () => {
    const g = new GraphDefWriter(1);
    const x = g.input('image', [8, 8, 3]);
    const six = g.values('six', [], [6]);
    const zero = g.values('zero', [], [0]);
    const branch = (i: number, scale: number): string => g.op('Conv2D', [x, g.random(`k${i}`, [3, 3, 3, 4], scale)], `conv${i}`, windowAttrs());
    const a = g.op('Minimum', [g.op('Maximum', [branch(1, 3), zero], 'max1'), six], 'relu6_a');
    const b = g.op('Maximum', [g.op('Minimum', [branch(2, 3), six], 'min2'), zero], 'relu6_b');
    const c = g.op('ClipByValue', [branch(3, 3), zero, six], 'relu6_c');
    const sum = g.op('AddN', [a, b, c], 'sum', { N: attr.int(3) });
    const pooled = g.op('Mean', [sum, g.ints([1, 2])], 'gap', { Tidx: { type: 'DT_INT32' }, keep_dims: attr.bool(false) });
    g.op('MatMul', [pooled, g.random('fc', [4, 5])], 'logits', { transpose_a: attr.bool(false), transpose_b: attr.bool(false) });
    const bundle = await importWithParity(await g.write(join(dir, 'clips')), [8, 8, 3]);
    const kinds = classes(bundle);
    assert.ok(!kinds.includes('Maximum') && !kinds.includes('Minimum'), `clips become ReLU6, got ${kinds.join(', ')}`);
    const layers = (bundle.topology['config'] as JsonObject)['layers'] as JsonObject[];
    const relu6 = layers.filter((l) => (l['config'] as JsonObject)['activation'] === 'relu6' || (l['config'] as JsonObject)['max_value'] === 6);
    assert.equal(relu6.length, 3, 'three ReLU6');
  });

  it('explicit Pad, pooling, Squeeze and a transposed MatMul with a bias Add', async () => {
    const g = new GraphDefWriter(2);
    const x = g.input('image', [9, 9, 3]);
    const padded = g.op('Pad', [x, g.ints([0, 0, 1, 1, 1, 1, 0, 0], [4, 2])], 'pad', { Tpaddings: { type: 'DT_INT32' } });
    const conv = g.op('Conv2D', [padded, g.random('k', [3, 3, 3, 6])], 'conv', windowAttrs(2, 'VALID'));
    const biased = g.op('BiasAdd', [conv, g.random('b', [6])], 'conv_bias', { data_format: attr.str('NHWC') });
    const relu = g.op('Relu', [biased], 'relu');
    const pool = g.op('MaxPool', [relu, ], 'maxpool', { ...windowAttrs(1, 'SAME'), ksize: attr.ints([1, 2, 2, 1]) });
    const avg = g.op('AvgPool', [pool], 'avgpool', { ...windowAttrs(2, 'VALID'), ksize: attr.ints([1, 2, 2, 1]) });
    const gap = g.op('Mean', [avg, g.ints([1, 2])], 'gap', { Tidx: { type: 'DT_INT32' }, keep_dims: attr.bool(true) });
    const squeezed = g.op('Squeeze', [gap], 'squeeze', { squeeze_dims: attr.ints([1, 2]) });
    const mm = g.op('MatMul', [squeezed, g.random('fc_t', [3, 6])], 'fc', { transpose_a: attr.bool(false), transpose_b: attr.bool(true) });
    g.op('AddV2', [mm, g.random('fc_b', [3])], 'logits');
    const bundle = await importWithParity(await g.write(join(dir, 'squeeze')), [9, 9, 3]);
    assert.deepEqual(classes(bundle).filter((c) => c === 'Dense' || c === 'ZeroPadding2D'), ['ZeroPadding2D', 'Dense']);
  });

  it('FusedBatchNormV3 left unfolded imports as BatchNormalization and prunes', async () => {
    const g = new GraphDefWriter(3);
    const x = g.input('image', [8, 8, 3]);
    const bn = (name: string, input: string, c: number): string =>
      g.op('FusedBatchNormV3', [input, g.random(`${name}/gamma`, [c], 0.2, 1), g.random(`${name}/beta`, [c], 0.1), g.random(`${name}/mean`, [c], 0.2), g.random(`${name}/var`, [c], 0.1, 1)], name, {
        epsilon: attr.f(0.001), data_format: attr.str('NHWC'), is_training: attr.bool(false), U: attr.float(),
      });
    const c1 = g.op('Conv2D', [x, g.random('k1', [3, 3, 3, 8])], 'conv1', windowAttrs());
    const r1 = g.op('Relu', [bn('bn1', c1, 8)], 'relu1');
    const dw = g.op('DepthwiseConv2dNative', [r1, g.random('dwk', [3, 3, 8, 1])], 'dw', windowAttrs());
    const r2 = g.op('Relu6', [bn('bn2', dw, 8)], 'relu2');
    const side = g.op('Conv2D', [x, g.random('k2', [1, 1, 3, 4])], 'side', windowAttrs());
    const cat = g.op('ConcatV2', [r2, side, g.ints([3], [])], 'cat', { N: attr.int(2), Tidx: { type: 'DT_INT32' } });
    const c3 = g.op('Conv2D', [cat, g.random('k3', [3, 3, 12, 6])], 'conv3', windowAttrs(2));
    const gap = g.op('Mean', [c3, g.ints([1, 2])], 'gap', { Tidx: { type: 'DT_INT32' }, keep_dims: attr.bool(false) });
    g.op('MatMul', [gap, g.random('fc', [6, 3])], 'logits', { transpose_a: attr.bool(false), transpose_b: attr.bool(false) });
    const bundle = await importWithParity(await g.write(join(dir, 'bn')), [8, 8, 3]);
    assert.equal(classes(bundle).filter((c) => c === 'BatchNormalization').length, 2);
    assert.equal((bundle.meta['importedFrom'] as { batchNormFolded: boolean }).batchNormFolded, false);
    await assertPruneProperty(bundle, randomInput([2, 8, 8, 3], 9), [2, 8, 8, 3], 4);
  });

  for (const dtype of ['uint8', 'float16'] as const) {
    it(`${dtype}-quantized, sharded weights with fused LeakyRelu, Prelu, Relu6 and MatMul`, async () => {
      const g = new GraphDefWriter(4);
      const x = g.input('image', [8, 8, 3]);
      const c1 = g.op('_FusedConv2D', [x, g.random('k1', [3, 3, 3, 8]), g.random('b1', [8])], 'conv1', { ...windowAttrs(), ...fusedAttrs(['BiasAdd', 'LeakyRelu'], { leakyrelu_alpha: attr.f(0.1) }) });
      const dw = g.op('FusedDepthwiseConv2dNative', [c1, g.random('dwk', [3, 3, 8, 1]), g.random('dwb', [8])], 'dw', { ...windowAttrs(), ...fusedAttrs(['BiasAdd', 'Relu6']) });
      const c2 = g.op('_FusedConv2D', [dw, g.random('k2', [1, 1, 8, 6]), g.random('b2', [6]), g.random('alpha', [6], 0.1, 0.2)], 'conv2', { ...windowAttrs(), ...fusedAttrs(['BiasAdd', 'Prelu']) });
      const flat = g.op('Reshape', [c2, g.ints([-1, 8 * 8 * 6])], 'flatten', { Tshape: { type: 'DT_INT32' } });
      const fc1 = g.op('_FusedMatMul', [flat, g.random('fc1', [384, 10], 0.05), g.random('fc1b', [10])], 'fc1', { transpose_a: attr.bool(false), transpose_b: attr.bool(false), ...fusedAttrs(['BiasAdd', 'Relu']) });
      g.op('MatMul', [fc1, g.random('fc2', [10, 4])], 'logits', { transpose_a: attr.bool(false), transpose_b: attr.bool(false) });
      const bundle = await importWithParity(await g.write(join(dir, `quant-${dtype}`), { dtype, shards: 3 }), [8, 8, 3]);
      assert.ok(classes(bundle).includes('PReLU') && classes(bundle).includes('LeakyReLU'));
      assert.equal((bundle.meta['importedFrom'] as { weightEncoding: string }).weightEncoding, dtype, 'the source encoding is recorded for export');
    });
  }

  it('channel zero-padding of a residual (BlazeFace style) imports exactly and prunes', async () => {
    const g = new GraphDefWriter(9);
    const x = g.input('image', [8, 8, 3]);
    const c1 = g.op('_FusedConv2D', [x, g.random('k1', [3, 3, 3, 4]), g.random('b1', [4])], 'conv1', { ...windowAttrs(), ...fusedAttrs(['BiasAdd', 'Relu']) });
    const branch = g.op('_FusedConv2D', [c1, g.random('k2', [3, 3, 4, 6]), g.random('b2', [6])], 'conv2', { ...windowAttrs(), ...fusedAttrs(['BiasAdd']) });
    const padded = g.op('Pad', [c1, g.ints([0, 0, 0, 0, 0, 0, 0, 2], [4, 2])], 'channel_padding', { Tpaddings: { type: 'DT_INT32' } });
    const sum = g.op('Relu', [g.op('AddV2', [branch, padded], 'residual')], 'residual_relu');
    g.op('Conv2D', [sum, g.random('k3', [1, 1, 6, 3])], 'head', windowAttrs());
    const bundle = await importWithParity(await g.write(join(dir, 'channel-pad')), [8, 8, 3]);
    await assertPruneProperty(bundle, randomInput([2, 8, 8, 3], 12), [2, 8, 8, 3], 6);
  });

  it('channel scales and preprocessing: Sub/RealDiv on the input, SE Mul of two tensors, per-channel Mul', async () => {
    const g = new GraphDefWriter(5);
    const x = g.input('image', [8, 8, 3]);
    const norm = g.op('RealDiv', [g.op('Sub', [x, g.values('mean', [3], [0.1, -0.2, 0.3])], 'centre'), g.values('std', [], [0.5])], 'normalize');
    const conv = g.op('_FusedConv2D', [norm, g.random('k', [3, 3, 3, 8]), g.random('b', [8])], 'conv', { ...windowAttrs(), ...fusedAttrs(['BiasAdd', 'Relu']) });
    const squeeze = g.op('Mean', [conv, g.ints([1, 2])], 'se_gap', { Tidx: { type: 'DT_INT32' }, keep_dims: attr.bool(false) });
    const reduce = g.op('_FusedMatMul', [squeeze, g.random('se1', [8, 4]), g.random('se1b', [4])], 'se_reduce', { transpose_a: attr.bool(false), transpose_b: attr.bool(false), ...fusedAttrs(['BiasAdd', 'Relu']) });
    const expand = g.op('_FusedMatMul', [reduce, g.random('se2', [4, 8]), g.random('se2b', [8])], 'se_expand', { transpose_a: attr.bool(false), transpose_b: attr.bool(false), ...fusedAttrs(['BiasAdd', 'Sigmoid']) });
    const gate = g.op('Reshape', [expand, g.ints([-1, 1, 1, 8])], 'se_gate', { Tshape: { type: 'DT_INT32' } });
    const excited = g.op('Mul', [conv, gate], 'excite');
    const scaled = g.op('Mul', [excited, g.random('scale', [8], 0.2, 1)], 'channel_scale');
    const head = g.op('Conv2D', [scaled, g.random('hk', [1, 1, 8, 4])], 'head', windowAttrs());
    g.op('Tanh', [head], 'out');
    const bundle = await importWithParity(await g.write(join(dir, 'se')), [8, 8, 3]);
    assert.ok(classes(bundle).includes('Multiply'));
  });
});

describe('outputs and unsupported ops', () => {
  /** Two heads and a post-processing TopKV2 after them. */
  async function writeDetector(): Promise<string> {
    const g = new GraphDefWriter(6);
    const x = g.input('image', [8, 8, 3]);
    const trunk = g.op('_FusedConv2D', [x, g.random('k', [3, 3, 3, 8]), g.random('b', [8])], 'trunk', { ...windowAttrs(), ...fusedAttrs(['BiasAdd', 'Relu']) });
    const scores = g.op('Sigmoid', [g.op('Conv2D', [trunk, g.random('sk', [1, 1, 8, 2])], 'score_conv', windowAttrs())], 'scores');
    g.op('Conv2D', [trunk, g.random('bk', [1, 1, 8, 4])], 'boxes', windowAttrs());
    const flat = g.op('Reshape', [scores, g.ints([-1, 128])], 'flat_scores', { Tshape: { type: 'DT_INT32' } });
    g.op('TopKV2', [flat, g.ints([5], [])], 'topk', { sorted: attr.bool(true) });
    return g.write(join(dir, 'detector'), { signatureOutputs: ['topk', 'boxes'] });
  }

  it('a post-processing op is UNSUPPORTED_OP naming the node and op', async () => {
    const path = await writeDetector();
    await assert.rejects(importGraphModel(path), (e: Error & { code?: string; where?: string; found?: string; hint?: string }) => {
      assert.equal(e.code, 'UNSUPPORTED_OP');
      assert.match(e.where ?? '', /node "topk" \(TopKV2\)/);
      assert.match(e.found ?? '', /post-processing/);
      assert.match(e.hint ?? '', /--outputs/);
      return true;
    });
  });

  it('outputs import the heads before post-processing, each with parity', async () => {
    const path = await writeDetector();
    const bundle = await importWithParity(path, [8, 8, 3], { outputs: ['scores', 'boxes:0'] });
    const config = bundle.topology['config'] as JsonObject;
    assert.deepEqual((config['output_layers'] as unknown[][]).map((o) => o[0]), ['scores', 'boxes']);
  });

  it('a while loop is UNSUPPORTED_OP naming a loop node, not a corrupt cycle', async () => {
    const g = new GraphDefWriter(10);
    const x = g.input('image', [4, 4, 3]);
    g.op('Enter', [x], 'enter');
    g.op('Merge', ['enter', 'next'], 'merge');
    g.op('Relu', ['merge'], 'body');
    g.op('NextIteration', ['body'], 'next');
    g.op('Exit', ['body'], 'exit');
    await assert.rejects(importGraphModel(await g.write(join(dir, 'loop'))), (e: Error & { code?: string; where?: string }) => {
      assert.equal(e.code, 'UNSUPPORTED_OP');
      assert.match(e.where ?? '', /\((Merge|NextIteration|Enter|Exit)\)/);
      return true;
    });
  });

  it('control flow and NCHW layouts are UNSUPPORTED_OP; unknown output names are INVALID_ARGUMENT', async () => {
    const g = new GraphDefWriter(7);
    const x = g.input('image', [4, 4, 3]);
    const pred = g.values('pred', [], [1]);
    g.op('Switch', [x, pred], 'switch');
    const path = await g.write(join(dir, 'switch'));
    await assert.rejects(importGraphModel(path), { code: 'UNSUPPORTED_OP', where: 'node "switch" (Switch)' });
    await assert.rejects(importGraphModel(path, { outputs: ['nope'] }), { code: 'INVALID_ARGUMENT' });
    const h = new GraphDefWriter(8);
    const y = h.input('image', [4, 4, 3]);
    h.op('Conv2D', [y, h.random('k', [1, 1, 3, 2])], 'conv', { ...windowAttrs(), data_format: attr.str('NCHW') });
    await assert.rejects(importGraphModel(await h.write(join(dir, 'nchw'))), { code: 'UNSUPPORTED_OP', where: 'node "conv" (Conv2D)' });
  });
});
