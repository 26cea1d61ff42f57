// Float16 ONNX and Keras sources are recorded as float16 (prune writes float16 by default, --weights float32 overrides); ONNX external data counts in the source bytes.
// tier: full (spawns the CLI's prune command five times on small fixtures)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceEncoding } from '../../src/bundle/encoding.ts';
import { importOnnx } from '../../src/import/onnx/import-onnx.ts';
import { importKeras } from '../../src/import/keras/import-keras.ts';
import { sourceBytesOnDisk } from '../../src/bundle/disk-size.ts';

const FP16_ONNX = 'test/fixtures/onnx/float16-opset13.onnx';

/** `edge-prune prune <model> --ratio 0.3` into `out`: the weight shard bytes and the --json size figures. */
async function prune(model: string, out: string, extra: string[] = []): Promise<{ shardBytes: number; size: { source: { bytes: number; encoding: string }; written: { encoding: string }[] } }> {
  const r = spawnSync(process.execPath, ['bin/edge-prune.js', 'prune', model, '--ratio', '0.3', '--seed', '1', '--out', out, ...extra, '--json'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr.slice(-1500));
  const manifest = (JSON.parse(await readFile(join(out, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] }).weightsManifest;
  let shardBytes = 0;
  for (const p of manifest.flatMap((g) => g.paths)) shardBytes += (await stat(join(out, p))).size;
  return { shardBytes, size: (JSON.parse(r.stdout) as { size: never }).size };
}

test('a float16 ONNX is a float16 source: pruned weights stay float16 (half the float32 bytes), --weights float32 overrides', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ep-src-enc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(sourceEncoding(await importOnnx(FP16_ONNX)), 'float16');
  assert.equal(sourceEncoding(await importOnnx('test/fixtures/onnx/mobilenetv2-opset12.onnx')), 'float32');
  const half = await prune(FP16_ONNX, join(dir, 'f16'));
  const full = await prune(FP16_ONNX, join(dir, 'f32'), ['--weights', 'float32']);
  assert.deepEqual(half.size.source, { path: FP16_ONNX, bytes: (await stat(FP16_ONNX)).size, encoding: 'float16' } as never, 'the size line compares with the real source bytes');
  assert.equal(half.size.written[0]?.encoding, 'float16');
  assert.equal(full.size.written[0]?.encoding, 'float32');
  const ratio = half.shardBytes / full.shardBytes;
  assert.ok(ratio > 0.45 && ratio < 0.55, `float16 shard ${half.shardBytes} B vs float32 ${full.shardBytes} B`);
});

test('the source bytes of an ONNX with external data count the data files beside it', async () => {
  const path = 'test/fixtures/onnx/external-data/model.onnx';
  const bytes = (await stat(path)).size + (await stat('test/fixtures/onnx/external-data/weights.bin')).size;
  assert.equal(await sourceBytesOnDisk(path, await importOnnx(path)), bytes);
});

test('float16 Keras .h5 and .keras files import (h5wasm reads no float16: widened here) as float16 sources and prune to float16', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ep-src-enc-keras-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const reference = await importKeras('test/fixtures/keras/vgg_seq.h5');
  assert.equal(sourceEncoding(reference), 'float32');
  for (const file of ['vgg_seq_fp16.h5', 'vgg_seq_fp16.keras']) {
    const bundle = await importKeras(`test/fixtures/keras/${file}`);
    assert.equal(sourceEncoding(bundle), 'float16', file);
    // The float16 values are the float32 fixture's rounded to half precision.
    bundle.weights.forEach((w, i) => w.data.forEach((v, k) => assert.ok(Math.abs(v - (reference.weights[i]?.data[k] as number)) <= 1e-3 * Math.max(1, Math.abs(v)), `${file} ${w.name}[${k}]`)));
  }
  const half = await prune('test/fixtures/keras/vgg_seq_fp16.h5', join(dir, 'h5'));
  const full = await prune('test/fixtures/keras/vgg_seq.h5', join(dir, 'h5-f32'));
  assert.equal(half.size.written[0]?.encoding, 'float16');
  const ratio = half.shardBytes / full.shardBytes;
  assert.ok(ratio > 0.45 && ratio < 0.55, `float16 shard ${half.shardBytes} B vs float32 ${full.shardBytes} B`);
  const keras = await prune('test/fixtures/keras/vgg_seq_fp16.keras', join(dir, 'keras'));
  assert.equal(keras.shardBytes, half.shardBytes, '.keras and .h5 hold the same float16 weights');
});
