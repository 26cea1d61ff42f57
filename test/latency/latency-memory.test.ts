// The latency model and memory accounting on a hand-checkable model, and their sums on real networks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph } from '../../src/analyze/graph.ts';
import { EdgePruneError } from '../../src/core/errors.ts';
import { ProfileSchema, RUNTIMES, type Profile } from '../../src/core/schemas.ts';
import type { ModelBundle, WeightEntry } from '../../src/core/types.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { vggTopology } from '../../src/latency/calibration/calibration-probes.ts';
import { describeWork } from '../../src/latency/layer-work.ts';
import { predictLatency } from '../../src/latency/latency-model.ts';
import { listProfiles, listTargets, loadProfile, loadTarget } from '../../src/targets/load-targets.ts';
import { MB, estimateMemory, modelSizeBytes, peakActivations } from '../../src/latency/memory.ts';
import { TopologyBuilder, activation, batchNorm, conv, dense, flatten, pool } from '../../src/latency/calibration/probe-topology.ts';
import { predictOnTarget } from '../../src/latency/target-predictor.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';

/** A bundle with zero weights of the shapes each layer needs. */
function bundleOf(topology: ModelBundle['topology'], shapes: Record<string, number[]>): ModelBundle {
  const weights: WeightEntry[] = Object.entries(shapes).map(([name, shape]) => ({
    name,
    shape,
    dtype: 'float32',
    data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
  }));
  return { topology, weights, meta: {} };
}

/**
 * input 8×8×3 → conv_1 (4 filters, 3×3, same, bias, relu) → bn_1 → act_1 (relu6) → maxpool_1 (2×2)
 * → flatten_1 → dense_1 (10). MACs: conv 8·8·9·3·4 = 6912, dense 64·10 = 640.
 */
function smallModel(useBias = true): ModelBundle {
  const b = new TopologyBuilder();
  const x = b.input([8, 8, 3]);
  const y = dense(b, flatten(b, pool(b, activation(b, batchNorm(b, conv(b, x, 4, 3, 1, { activation: 'relu', useBias })), 'relu6'), 'max')), 10);
  const shapes: Record<string, number[]> = {
    'conv_1/kernel': [3, 3, 3, 4],
    'bn_1/gamma': [4],
    'bn_1/beta': [4],
    'bn_1/moving_mean': [4],
    'bn_1/moving_variance': [4],
    'dense_1/kernel': [64, 10],
    'dense_1/bias': [10],
  };
  if (useBias) shapes['conv_1/bias'] = [4];
  return bundleOf(b.build(x, y, 'small'), shapes);
}

/** The shipped host profile with round, hand-checkable tfjs-wasm coefficients. */
function roundProfile(): Profile {
  const host = loadProfile('host');
  const s = (value: number) => ({ value, basis: 'assumption' as const, source: 'test coefficients' });
  const model = host.runtimes['tfjs-wasm']!;
  return ProfileSchema.parse({
    ...host,
    runtimes: {
      'tfjs-wasm': {
        ...model,
        inferenceOverheadMs: s(0.5),
        layerOverheadMs: s(0.1),
        cacheMb: s(1024 / MB),
        bandwidthGBs: s(0.001),
        channelBlock: s(1),
        throughputGops: {
          conv: s(0.001), depthwise: s(1), dense: s(0.0001), batchnorm: s(0.0002),
          clip: s(0.0001), activation: s(1), pool: s(0.01), elementwise: s(1),
        },
      },
    },
  });
}

test('the prediction equals the layer-by-layer sum worked out by hand', () => {
  const graph = buildGraph(smallModel());
  const p = predictLatency(graph, roundProfile(), 'tfjs-wasm');
  const ms = Object.fromEntries(p.layers.map((l) => [l.name, l.ms]));
  // G/s means work / (G × 1e6) ms; memory streams the bytes beyond 1024 at 0.001 GB/s (bytes / 1000 ms).
  const close = (a: number | undefined, b: number) => assert.ok(Math.abs((a ?? NaN) - b) < 1e-9, `${a} vs ${b}`);
  close(ms['input'], 0);
  close(ms['conv_1'], 0.1 + 6912 / 1000); // compute 6.912 > memory (4·560 − 1024)/1000
  close(ms['bn_1'], 0.1 + 256 / 200); // 1.28 > (4·528 − 1024)/1000
  close(ms['act_1'], 0.1 + 256 / 100); // relu6 is a clip pass: 2.56
  close(ms['maxpool_1'], 0.1 + (4 * (256 + 64) - 1024) / 1000); // memory-bound: 0.256 ms > compute 0.0256
  close(ms['flatten_1'], 0.1); // no kernel, only the layer overhead
  close(ms['dense_1'], 0.1 + 640 / 100); // 6.4 > (4·(64 + 10 + 650) − 1024)/1000
  close(p.totalMs, 0.5 + 7.012 + 1.38 + 2.66 + 0.356 + 0.1 + 6.5);
  const conv1 = p.layers.find((l) => l.name === 'conv_1');
  assert.equal(conv1?.macs, 6912);
  assert.equal(conv1?.bytes, 4 * (192 + 256 + 112));
});

test('a channel block pads conv outputs (and inputs of a block or more) but not dense layers', () => {
  const graph = buildGraph(smallModel());
  const profile = roundProfile();
  const model = profile.runtimes['tfjs-wasm']!;
  const blocked = ProfileSchema.parse({ ...profile, runtimes: { 'tfjs-wasm': { ...model, channelBlock: { ...model.channelBlock!, value: 8 } } } });
  const ms = Object.fromEntries(predictLatency(graph, blocked, 'tfjs-wasm').layers.map((l) => [l.name, l.ms]));
  const close = (a: number | undefined, b: number) => assert.ok(Math.abs((a ?? NaN) - b) < 1e-9, `${a} vs ${b}`);
  close(ms['conv_1'], 0.1 + (6912 * 8) / 4 / 1000); // 4 output channels computed as 8; the 3 input channels stay unpadded
  close(ms['dense_1'], 0.1 + 640 / 100); // Gemm: no channel block
});

test('on every profile and runtime the total is the fixed overhead plus the per-layer times', async () => {
  const vgg = await readBundle(await ensureFixture('vgg16'));
  const graph = buildGraph(vgg);
  const macs = describeWork(graph).reduce((n, w) => n + w.macs, 0);
  assert.ok(Math.abs(macs - 313.46e6) < 0.01e6, `VGG-16 MACs ${macs}`);
  for (const profile of listProfiles()) {
    for (const runtime of RUNTIMES) {
      if (!profile.runtimes[runtime]) continue;
      const p = predictLatency(graph, profile, runtime);
      const sum = p.inferenceOverheadMs + p.layers.reduce((n, l) => n + l.ms, 0);
      assert.ok(Math.abs(p.totalMs - sum) < 1e-9 * sum, `${profile.name}/${runtime}`);
      assert.equal(p.layers.length, graph.nodes.length);
      for (const l of p.layers) assert.ok(Number.isFinite(l.ms) && l.ms >= 0, `${profile.name}/${runtime}/${l.name}`);
      assert.ok(p.totalMs > 0);
    }
  }
});

test('a narrower network is predicted faster and smaller on every target', () => {
  const full = buildGraph(bundleLike(vggTopology(1)));
  const half = buildGraph(bundleLike(vggTopology(0.5)));
  for (const loaded of listTargets()) {
    const a = predictOnTarget(full, loaded);
    const b = predictOnTarget(half, loaded);
    assert.ok(b.resources.latencyMs < a.resources.latencyMs, loaded.target.name);
    assert.ok(b.resources.memoryMb < a.resources.memoryMb, loaded.target.name);
    assert.ok(b.resources.modelSizeMb < a.resources.modelSizeMb, loaded.target.name);
    assert.equal(a.checks.length, 3);
    assert.equal(a.met, a.checks.every((c) => c.ok));
  }
});

test('a runtime that fuses skips BatchNormalization and activations after a linear conv', () => {
  const b = new TopologyBuilder();
  const x = b.input([8, 8, 3]);
  const c1 = conv(b, x, 4, 3, 1, { useBias: false }); // conv_1, linear
  const y = activation(b, batchNorm(b, c1), 'relu6'); // bn_1, act_1: both fuse into conv_1
  const z = conv(b, y, 4, 3, 1, { activation: 'relu6' }); // conv_2: its relu6 is fused too
  const out = activation(b, batchNorm(b, z), 'relu'); // bn_2 follows a conv with an activation: stays
  const graph = buildGraph(bundleOf(b.build(x, out), {
    'conv_1/kernel': [3, 3, 3, 4], 'conv_2/kernel': [3, 3, 4, 4], 'conv_2/bias': [4],
    ...Object.fromEntries(['bn_1', 'bn_2'].flatMap((n) => ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((r) => [`${n}/${r}`, [4]]))),
  }));
  const works = describeWork(graph);
  assert.deepEqual(works.map((w) => w.fusable ?? '-'), ['-', '-', 'batchnorm', 'activation', '-', '-', '-']);
  const plain = roundProfile();
  const fusing = ProfileSchema.parse({ ...plain, runtimes: { 'tfjs-wasm': { ...plain.runtimes['tfjs-wasm'], fuses: ['batchnorm', 'activation'] } } });
  const a = Object.fromEntries(predictLatency(graph, plain, 'tfjs-wasm').layers.map((l) => [l.name, l]));
  const f = Object.fromEntries(predictLatency(graph, fusing, 'tfjs-wasm').layers.map((l) => [l.name, l]));
  assert.equal(f['bn_1']?.ms, 0);
  assert.equal(f['act_1']?.ms, 0);
  assert.ok((a['bn_1']?.ms ?? 0) > 0 && (a['act_1']?.ms ?? 0) > 0);
  assert.equal(f['conv_1']?.ms, a['conv_1']?.ms);
  assert.ok(Math.abs((a['conv_2']?.ms ?? 0) - (f['conv_2']?.ms ?? 0) - 256 / 100) < 1e-9, 'the fused relu6 pass (256 values at 0.0001 G/s) is dropped');
  assert.equal(f['bn_2']?.ms, a['bn_2']?.ms);
});

test('a runtime the profile lacks is a typed error', () => {
  const graph = buildGraph(smallModel());
  assert.throws(() => predictLatency(graph, loadProfile('host'), 'tfjs-webgl'), (e: unknown) => e instanceof EdgePruneError && e.code === 'INVALID_ARGUMENT');
});

test('model size per export format and quantization, worked out by hand', () => {
  const graph = buildGraph(smallModel());
  // conv 3·3·3·4 + 4 = 112, BN 4 × 4 = 16, dense 64·10 + 10 = 650: 778 weights as a tfjs Layers model holds them.
  assert.equal(modelSizeBytes(graph, 'tfjs', 'float32'), 778 * 4);
  assert.equal(modelSizeBytes(graph, 'tfjs', 'float16'), 778 * 2);
  assert.equal(modelSizeBytes(graph, 'tfjs', 'uint8'), 778);
  // Graph models (and ONNX with foldBn) fold BN into conv_1 (which has a bias): the 16 BN values vanish.
  assert.equal(modelSizeBytes(graph, 'tfjs-graph', 'float16'), 762 * 2);
  assert.equal(modelSizeBytes(graph, 'onnx', 'float32', true), 762 * 4);
  assert.equal(modelSizeBytes(graph, 'onnx', 'float32'), 778 * 4);
  // Without a conv bias, folding adds one (4 values).
  const noBias = buildGraph(smallModel(false));
  assert.equal(modelSizeBytes(noBias, 'tfjs', 'float32'), 774 * 4);
  assert.equal(modelSizeBytes(noBias, 'onnx', 'float32', true), 762 * 4);
});

test('peak activation memory from live tensors, worked out by hand', () => {
  const graph = buildGraph(smallModel());
  // Live at bn_1: the input (held by the caller, 192), conv_1's output (256, last read here), bn_1's (256).
  const peak = peakActivations(graph);
  assert.equal(peak.bytes, 4 * (192 + 256 + 256));
  assert.equal(peak.at, 'bn_1');
  assert.deepEqual(peak.live, ['input', 'conv_1', 'bn_1']);
  const m = estimateMemory(graph, 'tfjs', 'uint8');
  assert.equal(m.weightElements, 778);
  assert.equal(m.peakMb, (778 * 4 + 704 * 4) / MB);
  assert.equal(m.modelSizeMb, 778 / MB);
});

test('flatten shares its input buffer and branches stay live until their last reader', () => {
  const b = new TopologyBuilder();
  const x = b.input([4, 4, 2]);
  const left = conv(b, x, 2, 1); // conv_1: 32 values, read again by the add
  const right = conv(b, left, 2, 1); // conv_2
  const sum = b.add('Add', {}, [left, right], [4, 4, 2], 'add');
  const out = dense(b, flatten(b, sum), 3);
  const graph = buildGraph(
    bundleOf(b.build(x, out), {
      'conv_1/kernel': [1, 1, 2, 2], 'conv_1/bias': [2], 'conv_2/kernel': [1, 1, 2, 2], 'conv_2/bias': [2],
      'dense_1/kernel': [32, 3], 'dense_1/bias': [3],
    }),
  );
  // At add_1: input 32 + conv_1 32 + conv_2 32 + add 32 = 128; flatten aliases add_1 (no new buffer).
  assert.equal(peakActivations(graph).bytes, 4 * 128);
  assert.equal(peakActivations(graph).at, 'add_1');
  const target = loadTarget('host');
  assert.ok(predictOnTarget(graph, target).met);
});

/** Zero-weight bundle of a topology built by the probe builders (weights from the layer rules). */
function bundleLike(topology: ModelBundle['topology']): ModelBundle {
  const layers = (topology['config'] as { layers: Array<{ name: string; class_name: string; config: Record<string, unknown> }> }).layers;
  const shapes: Record<string, number[]> = {};
  let last = 3;
  let flat = 0;
  for (const l of layers) {
    if (l.class_name === 'Conv2D') {
      const f = l.config['filters'] as number;
      shapes[`${l.name}/kernel`] = [3, 3, last, f];
      shapes[`${l.name}/bias`] = [f];
      last = f;
    } else if (l.class_name === 'BatchNormalization') {
      for (const s of ['gamma', 'beta', 'moving_mean', 'moving_variance']) shapes[`${l.name}/${s}`] = [last];
    } else if (l.class_name === 'Flatten') {
      flat = last;
    } else if (l.class_name === 'Dense') {
      const u = l.config['units'] as number;
      shapes[`${l.name}/kernel`] = [flat, u];
      shapes[`${l.name}/bias`] = [u];
      flat = u;
    }
  }
  return bundleOf(topology, shapes);
}
