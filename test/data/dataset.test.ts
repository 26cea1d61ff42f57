// Seeded splits and augmentation: deterministic for a seed, class-balanced, and geometrically right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillBatch, stepRandom } from '../../src/data/batches.ts';
import { splitDataset, type ImageDataset } from '../../src/data/dataset.ts';
import { normalizationTable } from '../../src/data/normalization.ts';

/** 3 classes × 20 images of 4×4×1 whose pixels are the image index. */
function toyData(): ImageDataset {
  const n = 60;
  const images = new Uint8Array(n * 16);
  for (let i = 0; i < n; i++) images.fill(i, i * 16, (i + 1) * 16);
  return { images, labels: Int32Array.from({ length: n }, (_, i) => Math.floor(i / 20)), shape: [4, 4, 1], classes: ['a', 'b', 'c'], source: 'toy' };
}

test('the train/validation split is deterministic for a seed and balanced per class', () => {
  const data = toyData();
  const a = splitDataset(data, 0.25, 5);
  const b = splitDataset(data, 0.25, 5);
  const c = splitDataset(data, 0.25, 6);
  assert.deepEqual(a.validation.images, b.validation.images);
  assert.notDeepEqual(a.validation.images, c.validation.images);
  assert.equal(a.train.labels.length + a.validation.labels.length, 60);
  for (let k = 0; k < 3; k++) assert.equal(a.validation.labels.filter((l) => l === k).length, 5);
  const ids = new Set([...a.train.images.filter((_, i) => i % 16 === 0), ...a.validation.images.filter((_, i) => i % 16 === 0)]);
  assert.equal(ids.size, 60, 'every image lands in exactly one part');
});

test('pad-and-crop and flip move pixels as a padded crop would; the same step draws the same augmentation', () => {
  const images = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
  const data: ImageDataset = { images, labels: new Int32Array(1), shape: [4, 4, 1], classes: ['a'], source: 'toy' };
  const lut = normalizationTable({ scale: 1, offset: 0 }, 1);
  const plain = new Float32Array(16);
  fillBatch(data, [0], lut, plain);
  assert.deepEqual(Array.from(plain), Array.from(images));
  const seen = new Set<string>();
  for (let step = 0; step < 40; step++) {
    const out = new Float32Array(16);
    fillBatch(data, [0], lut, out, { pad: 1, flip: true }, stepRandom(3, 0, step));
    const again = new Float32Array(16);
    fillBatch(data, [0], lut, again, { pad: 1, flip: true }, stepRandom(3, 0, step));
    assert.deepEqual(out, again);
    seen.add(out.join(','));
    // Every output pixel is 0 (padding) or a source pixel, and every row is a shifted (maybe mirrored) source row.
    for (let y = 0; y < 4; y++) {
      const row = Array.from(out.subarray(y * 4, y * 4 + 4)).filter((v) => v > 0);
      const sorted = [...row].sort((p, q) => p - q);
      for (let k = 1; k < sorted.length; k++) assert.equal((sorted[k] as number) - (sorted[k - 1] as number), 1);
    }
  }
  assert.ok(seen.size >= 10, `augmentation varies (${seen.size} distinct crops)`);
});
