// Export options and failure modes: layouts, BN folding, quantized sizes, unsupported layers, bad options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildGraph } from '../../src/analyze/graph.ts';
import { isEdgePruneError, type EdgePruneError } from '../../src/core/errors.ts';
import type { Graph } from '../../src/core/types.ts';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { foldBatchNorm } from '../../src/export/fold-bn.ts';
import { buildOnnxModel } from '../../src/export/onnx-graph.ts';
import { printOnnxModel } from '../../src/export/onnx-text.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';
import { assertGolden, bundleFromModel, tempFolder } from './helpers.ts';
import { buildLayerVariants } from './layer-variants.ts';

/** Assert that a promise rejects with an EdgePruneError of a code, and return it. */
async function rejectsWith(promise: Promise<unknown>, code: string): Promise<EdgePruneError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isEdgePruneError(error), `expected an EdgePruneError, got ${String(error)}`);
    assert.equal((error as EdgePruneError).code, code, (error as Error).message);
    return error as EdgePruneError;
  }
  return assert.fail(`expected ${code}`);
}

test('corner-case layers pass parity in every format, NCHW and NHWC, BN kept and folded, float16', async () => {
  const bundle = await bundleFromModel(buildLayerVariants);
  const { dir, cleanup } = await tempFolder('variants');
  try {
    for (const options of [{}, { layout: 'nhwc' as const, foldBn: true }, { quantize: 'float16' as const }]) {
      const result = await exportBundle(bundle, { formats: ['tfjs', 'tfjs-graph', 'onnx'], outDir: join(dir, 'out'), ...options });
      for (const f of result.formats) assert.ok(f.parity.passed, `${JSON.stringify(options)} ${f.format}: ${f.parity.maxAbsDiff}`);
      const onnx = result.formats.find((f) => f.format === 'onnx');
      assert.equal(onnx?.layout, 'layout' in options ? 'nhwc' : 'nchw');
      if ('foldBn' in options) assert.equal(onnx?.foldedBatchNorm, 1, 'the BN after a Dense folds; the BN after an activation stays');
    }
  } finally {
    await cleanup();
  }
});

test('BatchNormalization folding: mobilenetv2 golden graph (NHWC input), no BatchNormalization left', async () => {
  const bundle = await readBundle(await ensureFixture('mobilenetv2'));
  const folded = foldBatchNorm(buildGraph(bundle), new Map(bundle.weights.map((w) => [w.name, w])));
  assert.equal(folded.folded.length, 19);
  const text = printOnnxModel(buildOnnxModel(folded.graph, folded.weights, { layout: 'nhwc', name: 'mobilenetv2' }).bytes);
  assert.ok(!text.includes('BatchNormalization'));
  await assertGolden('mobilenetv2.fold-bn.nhwc.onnx.txt', text);
});

test('quantized weights are about 1/2 (float16) and 1/4 (uint8) of float32 and pass their stated tolerances', async () => {
  const bundle = await readBundle(await ensureFixture('resnet56'));
  const { dir, cleanup } = await tempFolder('quantize');
  try {
    const sizes: Record<string, Record<string, number>> = {};
    for (const quantize of [undefined, 'float16', 'uint8'] as const) {
      const result = await exportBundle(bundle, { formats: ['tfjs', 'tfjs-graph', 'onnx'], outDir: join(dir, quantize ?? 'float32'), ...(quantize ? { quantize } : {}), foldBn: true });
      assert.equal(result.quantization, quantize ?? 'float32');
      for (const f of result.formats) {
        assert.ok(f.parity.passed, `${quantize} ${f.format}: ${f.parity.maxAbsDiff} > ${f.parity.tolerance}`);
        (sizes[f.format] ??= {})[quantize ?? 'float32'] = f.weightBytes;
      }
    }
    for (const [format, s] of Object.entries(sizes)) {
      const half = (s['float16'] as number) / (s['float32'] as number);
      const quarter = (s['uint8'] as number) / (s['float32'] as number);
      assert.ok(half > 0.49 && half < 0.52, `${format} float16 ratio ${half}`);
      assert.ok(quarter > 0.24 && quarter < 0.27, `${format} uint8 ratio ${quarter}`);
    }
  } finally {
    await cleanup();
  }
});

test('an unsupported layer is a typed error naming the layer and its class; nothing is written', async () => {
  const { dir, cleanup } = await tempFolder('unsupported');
  try {
    const transpose = await bundleFromModel(() =>
      tf.sequential({ layers: [tf.layers.conv2dTranspose({ name: 'upsample', filters: 2, kernelSize: 2, inputShape: [4, 4, 3] })] }),
    );
    const e1 = await rejectsWith(exportBundle(transpose, { formats: ['onnx'], outDir: join(dir, 'a') }), 'UNSUPPORTED_LAYER');
    assert.match(e1.message, /upsample/);
    assert.match(e1.message, /Conv2DTranspose/);
    const gelu = await bundleFromModel(() => tf.sequential({ layers: [tf.layers.dense({ name: 'head', units: 3, activation: 'gelu', inputShape: [4] })] }));
    const e2 = await rejectsWith(exportBundle(gelu, { formats: ['onnx'], outDir: join(dir, 'b') }), 'UNSUPPORTED_LAYER');
    assert.match(e2.message, /head/);
    assert.match(e2.message, /gelu/);
    assert.ok(!existsSync(join(dir, 'a')) && !existsSync(join(dir, 'b')));
  } finally {
    await cleanup();
  }
});

test('the ONNX emitter table rejects a class it has no emitter for, naming layer and class', async () => {
  const bundle = await readBundle(await ensureFixture('chain'));
  const graph = buildGraph(bundle);
  const odd: Graph = { ...graph, nodes: graph.nodes.map((n) => (n.name === 'conv2' ? { ...n, className: 'Conv3D' } : n)) };
  assert.throws(
    () => buildOnnxModel(odd, new Map(bundle.weights.map((w) => [w.name, w]))),
    (e: unknown) => isEdgePruneError(e) && e.code === 'UNSUPPORTED_LAYER' && /conv2/.test(e.message) && /Conv3D/.test(e.message),
  );
});

test('bad options are INVALID_ARGUMENT before any work', async () => {
  const bundle = await readBundle(await ensureFixture('chain'));
  const bad = [
    { formats: [] },
    { formats: ['tflite'] },
    { formats: ['onnx'], quantize: 'int4' },
    { formats: ['onnx'], layout: 'chw' },
  ] as unknown as Parameters<typeof exportBundle>[1][];
  for (const options of bad) await rejectsWith(exportBundle(bundle, { ...options, outDir: '/nonexistent/out' }), 'INVALID_ARGUMENT');
});
