// Image-folder loading on the bundled CIFAR-10 files: pixels, labels, cache hits, resizing and typed errors for bad data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { isEdgePruneError } from '../../src/core/errors.ts';
import { loadImageFolder } from '../../src/data/image-folder.ts';
import { loadData } from '../../src/data/load-data.ts';
import { makeTempDir, removeDir } from '../finetune/helpers.ts';
import { copySampleSplit, SAMPLE_DATA } from '../helpers/sample-data.ts';

const CLASSES = ['airplane', 'cat', 'truck'];

/** Assert that `run` rejects with an INVALID_DATA error whose `where` contains `where`. */
async function rejectsInvalidData(run: () => Promise<unknown>, where: string): Promise<void> {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(isEdgePruneError(error), `expected EdgePruneError, got ${String(error)}`);
    assert.equal(error.code, 'INVALID_DATA');
    assert.ok(error.where.includes(where), `where ${error.where} should name ${where}`);
    return true;
  });
}

test('loads a CIFAR-10 image folder: sorted classes give labels, pixels equal a per-image sharp decode', async () => {
  const dir = await makeTempDir('folder');
  const cache = await makeTempDir('cache');
  try {
    const copied = await copySampleSplit(dir, 'train', 300, CLASSES);
    const fileOf = (name: string, k: number): string => copied.get(name)?.[k] as string;
    const first = await loadImageFolder(dir, { cacheDir: cache });
    assert.equal(first.fromCache, false);
    const data = first.dataset;
    assert.deepEqual(data.classes, CLASSES);
    assert.deepEqual(data.shape, [32, 32, 3]);
    assert.equal(data.labels.length, 900);
    assert.deepEqual([data.labels[0], data.labels[299], data.labels[300], data.labels[899]], [0, 0, 1, 2]);
    for (const [i, name, file] of [[0, 'airplane', fileOf('airplane', 0)], [450, 'cat', fileOf('cat', 150)], [899, 'truck', fileOf('truck', 299)]] as const) {
      const expected = await sharp(await readFile(join(dir, name, file))).raw().toBuffer();
      assert.deepEqual(Buffer.from(data.images.subarray(i * 3072, (i + 1) * 3072)), expected, `image ${name}/${file}`);
    }
    const second = await loadImageFolder(dir, { cacheDir: cache });
    assert.equal(second.fromCache, true, 'the second load reads the cache');
    assert.deepEqual(second.dataset.images, data.images);
    assert.deepEqual(second.dataset.labels, data.labels);
    // New content (a changed image) misses the cache.
    await copyFile(join(dir, 'cat', fileOf('cat', 0)), join(dir, 'airplane', fileOf('airplane', 0)));
    const changed = await loadImageFolder(dir, { cacheDir: cache });
    assert.equal(changed.fromCache, false);
    assert.deepEqual(Buffer.from(changed.dataset.images.subarray(0, 3072)), Buffer.from(data.images.subarray(300 * 3072, 301 * 3072)));
  } finally {
    await removeDir(dir);
    await removeDir(cache);
  }
});

test('a large folder decodes in worker processes to the same pixels, and names a corrupt file from a worker', async () => {
  const dir = await makeTempDir('pool');
  try {
    await cp(join(SAMPLE_DATA, 'train'), dir, { recursive: true });
    const { dataset } = await loadImageFolder(dir, { size: [32, 32], cacheDir: false });
    assert.equal(dataset.labels.length, 5000);
    const names = (await readdir(join(dir, 'truck'))).sort();
    for (const [i, name, file] of [[0, 'airplane', (await readdir(join(dir, 'airplane'))).sort()[0]], [4999, 'truck', names[names.length - 1]]] as const) {
      const expected = await sharp(await readFile(join(dir, name, file as string))).raw().toBuffer();
      assert.deepEqual(Buffer.from(dataset.images.subarray(i * 3072, (i + 1) * 3072)), expected, `image ${name}/${file}`);
    }
    await writeFile(join(dir, 'truck', 'zz-corrupt.jpg'), Buffer.from('definitely not a JPEG'));
    await rejectsInvalidData(() => loadImageFolder(dir, { size: [32, 32], cacheDir: false }), 'zz-corrupt.jpg');
  } finally {
    await removeDir(dir);
  }
});

test('train/ + test/ folders give both splits; evaluation reads only the held-out one', async () => {
  const dir = await makeTempDir('splits');
  try {
    await copySampleSplit(join(dir, 'train'), 'train', 20, CLASSES);
    await copySampleSplit(join(dir, 'test'), 'test', 10, CLASSES);
    const both = await loadData(dir, { cacheDir: false });
    assert.equal(both.layout, 'train-test-folders');
    assert.equal(both.train?.labels.length, 60);
    assert.equal(both.test?.labels.length, 30);
    const evaluation = await loadData(dir, { cacheDir: false, purpose: 'evaluation' });
    assert.equal(evaluation.train, undefined);
    assert.equal(evaluation.test?.labels.length, 30);
  } finally {
    await removeDir(dir);
  }
});

test('mixed sizes: resized to the requested size, or a typed error without one', async () => {
  const dir = await makeTempDir('mixed');
  try {
    await copySampleSplit(dir, 'train', 5, ['cat', 'dog']);
    const big = await sharp({ create: { width: 48, height: 40, channels: 4, background: { r: 200, g: 10, b: 30, alpha: 1 } } }).png().toBuffer();
    await writeFile(join(dir, 'dog', 'big.png'), big);
    const loaded = await loadImageFolder(dir, { size: [32, 32], cacheDir: false });
    assert.equal(loaded.resized, 1);
    assert.equal(loaded.dataset.labels.length, 11);
    const at = 10 * 3072; // dog/big.png sorts last
    assert.deepEqual(Array.from(loaded.dataset.images.subarray(at, at + 3)), [200, 10, 30]);
    await rejectsInvalidData(() => loadImageFolder(dir, { cacheDir: false }), join('dog', 'big.png'));
  } finally {
    await removeDir(dir);
  }
});

test('bad data gives INVALID_DATA naming the place: empty class, corrupt image, no classes, wrong classes', async () => {
  const dir = await makeTempDir('bad');
  try {
    await rejectsInvalidData(() => loadImageFolder(dir, { cacheDir: false }), dir);
    await rejectsInvalidData(() => loadImageFolder(join(dir, 'missing'), { cacheDir: false }), 'missing');
    const copied = await copySampleSplit(dir, 'train', 4, ['cat', 'dog']);
    await mkdir(join(dir, 'empty'));
    await rejectsInvalidData(() => loadImageFolder(dir, { cacheDir: false }), 'empty');
    await removeDir(join(dir, 'empty'));
    await rejectsInvalidData(() => loadImageFolder(dir, { cacheDir: false, classes: ['cat', 'horse'] }), dir);
    const good = await readFile(join(dir, 'dog', copied.get('dog')?.[0] as string));
    await writeFile(join(dir, 'dog', 'zz-truncated.jpg'), good.subarray(0, Math.floor(good.length / 2)));
    await rejectsInvalidData(() => loadImageFolder(dir, { size: [32, 32], cacheDir: false }), 'zz-truncated.jpg');
    await writeFile(join(dir, 'dog', 'zz-truncated.jpg'), Buffer.from('not an image at all'));
    await rejectsInvalidData(() => loadImageFolder(dir, { size: [32, 32], cacheDir: false }), 'zz-truncated.jpg');
  } finally {
    await removeDir(dir);
  }
});
