// The int8 ONNX beside the float one: dropped whole (files and manifest) below its agreement floor; when a run writes it at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { exportBundle, INT8_ONNX_DIR } from '../../src/export/export-bundle.ts';
import { loadCalibrationImages } from '../../src/export/parity-images.ts';
import { decideInt8 } from '../../src/export/int8-choice.ts';
import { quantizedFigures } from '../../src/report/quantized.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';
import { isEdgePruneError } from '../../src/core/errors.ts';

test('int8 calibrated on black images misses its floor: dropped with why, the float ONNX delivered, no onnx-int8 folder', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ep-int8-beside-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const bundle = await readBundle('samples/vgg/model.json');
  const { evaluation } = await loadCalibrationImages(bundle, 'samples/data', 8, 64);
  // Constant images give every activation a zero-width range: int8 clips the real images' activations flat.
  const black = { data: new Float32Array(evaluation.data.length / evaluation.count * 8).fill(-2), count: 8, source: 'black images' };
  const out = join(dir, 'export');
  const result = await exportBundle(bundle, { formats: ['onnx'], outDir: out, quantize: 'int8', int8Alongside: true, calibration: { images: black }, images: evaluation });
  assert.deepEqual(result.formats.map((f) => `${f.entry} ${f.precision}`), ['onnx/model.onnx float16']);
  assert.equal(result.dropped?.length, 1);
  assert.match(result.dropped?.[0]?.reason ?? '', /top-1 agreement with the float model [\d.]+% on 64 images .* below the floor 90%/);
  assert.equal(existsSync(join(out, INT8_ONNX_DIR)), false, 'no half-written int8 folder');
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { formats: unknown[]; dropped: { reason: string }[] };
  assert.equal(manifest.formats.length, 1);
  assert.equal(manifest.dropped.length, 1);
  const figures = quantizedFigures(result, {});
  assert.equal(figures.exports[0]?.written, false);
  assert.ok((figures.exports[0]?.agreement ?? 1) < 0.9);
  assert.equal(typeof figures.float32Top1, 'number');
});

test('int8 is written by default on int8 targets with data; said why not elsewhere; an impossible --quantize int8 is INVALID_ARGUMENT', () => {
  const onnx = loadTarget('pixel7-onnx').target;
  const tfjs = loadTarget('pixel7').target;
  assert.deepEqual(decideInt8(onnx, { hasData: true }), { write: true, chosenBy: 'target' });
  const noData = decideInt8(onnx, { hasData: false });
  assert.ok(!noData.write && /no images to calibrate/.test(noData.reason));
  const tfjsRun = decideInt8(tfjs, { hasData: true });
  assert.ok(!tfjsRun.write && /no int8 kernels/.test(tfjsRun.reason));
  const none = decideInt8(onnx, { hasData: true, requested: 'none' });
  assert.ok(!none.write && /--quantize none/.test(none.reason));
  assert.throws(() => decideInt8(tfjs, { hasData: true, requested: 'int8' }), (e: unknown) => isEdgePruneError(e) && e.code === 'INVALID_ARGUMENT');
  assert.throws(() => decideInt8(onnx, { hasData: false, requested: 'int8' }), (e: unknown) => isEdgePruneError(e) && e.code === 'INVALID_ARGUMENT');
});
