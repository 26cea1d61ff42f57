// Per-layer-kind cost lives in LAYER_RULES: one graph with every layer kind against hand-worked ops, and the samples' predictions as per-layer sums.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph } from '../../src/analyze/graph.ts';
import type { ModelBundle, WeightEntry } from '../../src/core/types.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { TopologyBuilder } from '../../src/latency/calibration/probe-topology.ts';
import { describeWork, paddedWork, type LayerOp } from '../../src/latency/layer-work.ts';
import { coefficientsOf, predictLatency } from '../../src/latency/latency-model.ts';
import { LAYER_RULES, requireRule } from '../../src/layers/rules.ts';
import type { RuntimeName } from '../../src/core/schemas.ts';
import { listProfiles } from '../../src/targets/load-targets.ts';

/** A graph of 8×8×4 input holding every class of LAYER_RULES once or more (zero weights). */
function everyKind(): ModelBundle {
  const b = new TopologyBuilder();
  const x = b.input([8, 8, 4]);
  const s = (n: number): number[] => [8, 8, n];
  const zp = b.add('ZeroPadding2D', { padding: [[1, 1], [1, 1]] }, [x], [10, 10, 4], 'zp');
  const c1 = b.add('Conv2D', { filters: 8, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', activation: 'linear', use_bias: true }, [zp], s(8), 'conv');
  const bn = b.add('BatchNormalization', { axis: -1 }, [c1], s(8), 'bn');
  const r = b.add('ReLU', {}, [bn], s(8), 'relu');
  const dw = b.add('DepthwiseConv2D', { kernel_size: [3, 3], padding: 'same', depth_multiplier: 1, activation: 'relu6', use_bias: false }, [r], s(8), 'dw');
  const lr = b.add('LeakyReLU', { alpha: 0.2 }, [dw], s(8), 'lrelu');
  const el = b.add('ELU', { alpha: 1 }, [lr], s(8), 'elu');
  const pr = b.add('PReLU', { shared_axes: [1, 2] }, [el], s(8), 'prelu');
  const hs = b.add('HardSwish', {}, [pr], s(8), 'hswish');
  const hg = b.add('HardSigmoid', { alpha: 1 / 6, beta: 0.5 }, [hs], s(8), 'hsig');
  const sep = b.add('SeparableConv2D', { filters: 8, kernel_size: [3, 3], padding: 'same', depth_multiplier: 1, activation: 'sigmoid', use_bias: true }, [hg], s(8), 'sep');
  const act = b.add('Activation', { activation: 'tanh' }, [sep], s(8), 'act');
  const drop = b.add('SpatialDropout2D', { rate: 0.1 }, [b.add('Dropout', { rate: 0.1 }, [act], s(8), 'drop')], s(8), 'sdrop');
  let m = b.add('Add', {}, [drop, el, lr], s(8), 'add');
  for (const k of ['Multiply', 'Average', 'Maximum', 'Minimum', 'Subtract']) m = b.add(k, {}, [m, el], s(8), k.toLowerCase());
  const cat = b.add('Concatenate', { axis: -1 }, [m, r], s(16), 'cat');
  const gmp = b.add('GlobalMaxPooling2D', {}, [b.add('MaxPooling2D', { pool_size: [2, 2] }, [cat], [4, 4, 16], 'mp')], [16], 'gmp');
  const gap = b.add('GlobalAveragePooling2D', {}, [b.add('AveragePooling2D', { pool_size: [2, 2] }, [cat], [4, 4, 16], 'ap')], [16], 'gap');
  const flat = b.add('Flatten', {}, [b.add('Reshape', { target_shape: [4, 4] }, [b.add('Add', {}, [gmp, gap], [16], 'add')], [4, 4], 'reshape')], [16], 'flatten');
  // Detector blocks: a channel slice of the concat, nearest and half-pixel bilinear up-sampling.
  const slice = b.add('ChannelSlice', { begin: 4, size: 8 }, [cat], s(8), 'slice');
  const up = b.add('UpSampling2D', { size: [2, 2], interpolation: 'nearest' }, [slice], [16, 16, 8], 'up');
  const bup = b.add('BilinearUpSampling2D', { size: [2, 2], interpolation: 'bilinear' }, [slice], [16, 16, 8], 'bup');
  const upGap = b.add('GlobalAveragePooling2D', {}, [b.add('Add', {}, [up, bup], [16, 16, 8], 'add')], [8], 'gap');
  const joined = b.add('Concatenate', { axis: -1 }, [flat, upGap], [24], 'cat');
  const out = b.add('Softmax', {}, [b.add('Dense', { units: 10, activation: 'linear', use_bias: true }, [joined], [10], 'dense')], [10], 'softmax');
  const shapes: Record<string, number[]> = {
    'conv_1/kernel': [3, 3, 4, 8], 'conv_1/bias': [8],
    'bn_1/gamma': [8], 'bn_1/beta': [8], 'bn_1/moving_mean': [8], 'bn_1/moving_variance': [8],
    'dw_1/depthwise_kernel': [3, 3, 8, 1], 'prelu_1/alpha': [1, 1, 8],
    'sep_1/depthwise_kernel': [3, 3, 8, 1], 'sep_1/pointwise_kernel': [1, 1, 8, 8], 'sep_1/bias': [8],
    'dense_1/kernel': [24, 10], 'dense_1/bias': [10],
  };
  const weights: WeightEntry[] = Object.entries(shapes).map(([name, shape]) => ({ name, shape, dtype: 'float32', data: new Float32Array(shape.reduce((a, c) => a * c, 1)) }));
  return { topology: b.build(x, out, 'every-kind'), weights, meta: {} };
}

/** Hand-worked ops per layer (8·8·8 = 512 output elements for most layers). */
const EXPECTED: Record<string, { ops: LayerOp[]; fusable?: string }> = {
  input: { ops: [] },
  zp_1: { ops: [{ kind: 'elementwise', work: 10 * 10 * 4 }] },
  conv_1: { ops: [{ kind: 'conv', work: 512 * 3 * 3 * 4, channels: { in: 4, out: 8 } }] },
  bn_1: { ops: [{ kind: 'batchnorm', work: 512 }], fusable: 'batchnorm' },
  relu_1: { ops: [{ kind: 'elementwise', work: 512 }], fusable: 'activation' },
  dw_1: { ops: [{ kind: 'depthwise', work: 512 * 9, channels: { in: 8, out: 8 } }, { kind: 'clip', work: 512, fused: true }] },
  lrelu_1: { ops: [{ kind: 'elementwise', work: 512 }] },
  elu_1: { ops: [{ kind: 'activation', work: 512 }] },
  prelu_1: { ops: [{ kind: 'activation', work: 512 }] },
  hswish_1: { ops: [{ kind: 'activation', work: 512 }] },
  hsig_1: { ops: [{ kind: 'activation', work: 512 }] },
  sep_1: {
    ops: [
      { kind: 'depthwise', work: 64 * 9 * 8, channels: { in: 8, out: 8 } },
      { kind: 'conv', work: 512 * 8, channels: { in: 8, out: 8 } },
      { kind: 'activation', work: 512, fused: true },
    ],
  },
  act_1: { ops: [{ kind: 'activation', work: 512 }] },
  drop_1: { ops: [] },
  sdrop_1: { ops: [] },
  add_1: { ops: [{ kind: 'elementwise', work: 512 * 2 }] },
  multiply_1: { ops: [{ kind: 'elementwise', work: 512 }] },
  average_1: { ops: [{ kind: 'elementwise', work: 512 }] },
  maximum_1: { ops: [{ kind: 'elementwise', work: 512 }] },
  minimum_1: { ops: [{ kind: 'elementwise', work: 512 }] },
  subtract_1: { ops: [{ kind: 'elementwise', work: 512 }] },
  cat_1: { ops: [{ kind: 'elementwise', work: 1024 }] },
  mp_1: { ops: [{ kind: 'pool', work: 4 * 4 * 16 * 4 }] },
  gmp_1: { ops: [{ kind: 'pool', work: 256 }] },
  ap_1: { ops: [{ kind: 'pool', work: 4 * 4 * 16 * 4 }] },
  gap_1: { ops: [{ kind: 'pool', work: 256 }] },
  add_2: { ops: [{ kind: 'elementwise', work: 16 }] },
  reshape_1: { ops: [] },
  flatten_1: { ops: [] },
  slice_1: { ops: [{ kind: 'elementwise', work: 512 }] },
  up_1: { ops: [{ kind: 'elementwise', work: 16 * 16 * 8 }] },
  bup_1: { ops: [{ kind: 'elementwise', work: 16 * 16 * 8 * 4 }] },
  add_3: { ops: [{ kind: 'elementwise', work: 16 * 16 * 8 }] },
  gap_2: { ops: [{ kind: 'pool', work: 16 * 16 * 8 }] },
  cat_2: { ops: [{ kind: 'elementwise', work: 24 }] },
  dense_1: { ops: [{ kind: 'dense', work: 240 }] },
  softmax_1: { ops: [{ kind: 'activation', work: 10 }] },
};

test('every LAYER_RULES entry carries its cost: each kind of one graph gives the hand-worked ops and fusions', () => {
  const graph = buildGraph(everyKind());
  assert.deepEqual(new Set(graph.nodes.map((n) => n.className)), new Set(Object.keys(LAYER_RULES)), 'the graph holds every layer kind');
  const works = describeWork(graph);
  assert.deepEqual(works.map((w) => w.name).sort(), Object.keys(EXPECTED).sort());
  for (const w of works) {
    const want = EXPECTED[w.name]!;
    assert.deepEqual(w.ops, want.ops, w.name);
    assert.equal(w.fusable, want.fusable, `${w.name} fusable`);
    assert.equal(w.executed, w.className !== 'InputLayer', `${w.name} executed`);
    // Views (Flatten, Reshape, Dropout) share their input's buffer: exactly the executed layers without a kernel.
    assert.equal(requireRule(w.className, w.name).cost.aliasesInput === true, w.executed && w.ops.length === 0, `${w.name} view`);
  }
  for (const [className, rule] of Object.entries(LAYER_RULES)) {
    assert.equal(typeof rule.cost.ops, 'function', `${className} has cost ops`);
    // Layers with MACs are the fusion hosts, and their main ops carry exactly those MACs.
    assert.equal(rule.cost.fusionHost === true, rule.macs !== undefined, `${className} fusion host`);
  }
  for (const w of works.filter((x) => requireRule(x.className, x.name).macs)) {
    assert.equal(w.ops.filter((o) => o.kind === 'conv' || o.kind === 'depthwise' || o.kind === 'dense').reduce((n, o) => n + o.work, 0), w.macs, w.name);
  }
});

test('samples: on every profile and runtime the prediction is the overhead plus each layer\'s rule-cost ops at the profile\'s throughputs', async () => {
  for (const sample of ['vgg', 'resnet']) {
    const graph = buildGraph(await readBundle(`samples/${sample}/model.json`));
    const works = describeWork(graph);
    for (const profile of listProfiles()) {
      for (const runtime of Object.keys(profile.runtimes) as RuntimeName[]) {
        const c = coefficientsOf(profile, runtime);
        const p = predictLatency(graph, profile, runtime);
        const where = `${sample} on ${profile.name}/${runtime}`;
        const sum = p.layers.reduce((n, l) => n + l.ms, c.inferenceOverheadMs);
        assert.ok(Math.abs(p.totalMs - sum) <= 1e-9 * sum && p.totalMs > c.inferenceOverheadMs, where);
        works.forEach((w, i) => {
          const skipped = w.fusable !== undefined && c.fuses.includes(w.fusable);
          const compute = skipped ? 0 : w.ops.filter((o) => !(o.fused && c.fuses.includes('activation'))).reduce((n, o) => n + paddedWork(o, c.channelBlock) / (c.throughputGops[o.kind] * 1e6), 0);
          const got = p.layers[i]!.computeMs;
          assert.ok(Math.abs(got - compute) <= 1e-12 + 1e-9 * compute, `${where} ${w.name}: ${got} vs ${compute}`);
        });
      }
    }
  }
});
