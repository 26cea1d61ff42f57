// int8 QDQ ONNX export of the VGG sample, calibrated on its bundled train images and judged on held-out test images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { loadCalibrationImages } from '../../src/export/parity-images.ts';
import { decodeModel, ONNX_DTYPE } from '../../src/export/onnx-tensors.ts';
import { isEdgePruneError } from '../../src/core/errors.ts';

test('int8 ONNX of the VGG sample: QDQ graph with int8 weights, top-1 agreement with the source ≥ 95% on 128 held-out images', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ep-int8-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const bundle = await readBundle('samples/vgg/model.json');
  const { calibration, evaluation } = await loadCalibrationImages(bundle, 'samples/data', 64, 128);
  const result = await exportBundle(bundle, { formats: ['onnx'], outDir: join(dir, 'int8'), quantize: 'int8', calibration: { images: calibration }, images: evaluation, weights: 'float32' });
  const onnx = result.formats[0];
  assert.ok(onnx);
  assert.equal(onnx.precision, 'int8');
  const images = onnx.parity.images;
  assert.ok(images && images.n === 128 && images.accuracy);
  assert.ok(images.top1Agreement >= 0.95, `top-1 agreement with float32 ${images.top1Agreement}`);
  assert.ok(images.accuracy.export >= images.accuracy.source - 0.05, `int8 accuracy ${images.accuracy.export} vs float32 ${images.accuracy.source}`);
  const model = decodeModel(await readFile(join(dir, 'int8', onnx.entry)));
  const ops = new Set((model.graph?.node ?? []).map((n) => n.opType));
  assert.ok(ops.has('QuantizeLinear') && ops.has('DequantizeLinear') && ops.has('Conv'));
  const convWeights = (model.graph?.initializer ?? []).filter((i) => (i.name ?? '').endsWith('/int8'));
  assert.ok(convWeights.length >= 7 && convWeights.every((w) => w.dataType === ONNX_DTYPE.int8), 'every conv and the dense layer hold int8 weights');
  const float = await exportBundle(bundle, { formats: ['onnx'], outDir: join(dir, 'f32'), weights: 'float32' });
  assert.ok(onnx.totalBytes * 3 < (float.formats[0]?.totalBytes ?? 0), 'int8 is about 4× smaller than float32');
});

test('int8 needs calibration images and the onnx format', async () => {
  const bundle = await readBundle('samples/vgg/model.json');
  const bad = [
    { formats: ['onnx' as const], outDir: '/nonexistent/x', quantize: 'int8' as const },
    { formats: ['tfjs' as const], outDir: '/nonexistent/x', quantize: 'int8' as const, calibration: { images: { data: new Float32Array(3072), count: 1, source: 'x' } } },
  ];
  for (const options of bad) await assert.rejects(exportBundle(bundle, options), (e: unknown) => isEdgePruneError(e) && e.code === 'INVALID_ARGUMENT');
});
