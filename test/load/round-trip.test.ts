// Round trips: read → write → read keeps topology and weights; writing twice gives identical bytes; quantized weights dequantize.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { writeBundle } from '../../src/bundle/write-bundle.ts';
import { ensureFixture, FIXTURE_NAMES } from '../fixtures/build-fixtures.ts';

for (const name of FIXTURE_NAMES) {
  test(`${name}: read → write → read is lossless and byte-stable`, async () => {
    const original = await readBundle(await ensureFixture(name));
    const a = await mkdtemp(join(tmpdir(), 'ep-rt-'));
    const b = await mkdtemp(join(tmpdir(), 'ep-rt-'));
    const again = await readBundle(await writeBundle(original, a));
    assert.deepEqual(again.topology, original.topology);
    assert.equal(again.weights.length, original.weights.length);
    again.weights.forEach((w, i) => {
      const o = original.weights[i];
      assert.equal(w.name, o?.name);
      assert.deepEqual(w.shape, o?.shape);
      assert.deepEqual(w.data, o?.data);
    });
    await writeBundle(again, b);
    const files = (await readdir(a)).sort();
    assert.deepEqual((await readdir(b)).sort(), files);
    for (const f of files) assert.ok((await readFile(join(a, f))).equals(await readFile(join(b, f))), `${f} differs`);
    if (name === 'vgg16') assert.ok(files.filter((f) => f.endsWith('.bin')).length > 1, 'large models are sharded');
  });
}

test('float16 and uint8 weights dequantize on load within their precision', async () => {
  const original = await readBundle(await ensureFixture('mobilenetv2'));
  for (const [quantize, tolerance] of [['float16', 1e-3], ['uint8', 0.5 / 255]] as const) {
    const dir = await mkdtemp(join(tmpdir(), `ep-${quantize}-`));
    const json = JSON.parse(await readFile(await writeBundle(original, dir, { weights: quantize }), 'utf8'));
    assert.equal(json.weightsManifest[0].weights[0].quantization.dtype, quantize);
    const back = await readBundle(join(dir, 'model.json'));
    back.weights.forEach((w, i) => {
      const o = original.weights[i]?.data as Float32Array;
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of o) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      const bound = quantize === 'uint8' ? tolerance * (hi - lo) + 1e-7 : tolerance * Math.max(1, Math.abs(hi), Math.abs(lo));
      w.data.forEach((v, k) => assert.ok(Math.abs(v - (o[k] as number)) <= bound, `${w.name}[${k}]: ${v} vs ${o[k]}`));
    });
  }
});

test('weights in several shards across groups and uint16 quantization load', async () => {
  const original = await readBundle(await ensureFixture('chain'));
  const dir = await mkdtemp(join(tmpdir(), 'ep-u16-'));
  // Hand-build a uint16 manifest from the float weights: q = round((v - min) / scale).
  const { writeFile } = await import('node:fs/promises');
  const specs = [];
  const parts: Buffer[] = [];
  for (const w of original.weights) {
    const min = Math.min(...w.data);
    const max = Math.max(...w.data);
    const scale = (max - min) / 65535 || 1;
    const buf = Buffer.alloc(w.data.length * 2);
    w.data.forEach((v, k) => buf.writeUInt16LE(Math.round((v - min) / scale), 2 * k));
    parts.push(buf);
    specs.push({ name: w.name, shape: w.shape, dtype: 'float32', quantization: { dtype: 'uint16', min, scale } });
  }
  const all = Buffer.concat(parts);
  const half = Math.floor(all.length / 2);
  await writeFile(join(dir, 'a.bin'), all.subarray(0, half));
  await writeFile(join(dir, 'b.bin'), all.subarray(half));
  await writeFile(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: original.topology, weightsManifest: [{ paths: ['a.bin', 'b.bin'], weights: specs }] }));
  const back = await readBundle(join(dir, 'model.json'));
  back.weights.forEach((w, i) => {
    const o = original.weights[i]?.data as Float32Array;
    const range = Math.max(...o) - Math.min(...o);
    w.data.forEach((v, k) => assert.ok(Math.abs(v - (o[k] as number)) <= range / 65535 + 1e-6));
  });
});
