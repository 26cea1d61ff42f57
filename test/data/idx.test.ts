// IDX loading (MNIST format) from generated files, raw and gzip, plus typed errors for malformed files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isEdgePruneError } from '../../src/core/errors.ts';
import { loadIdx, parseIdx } from '../../src/data/idx.ts';
import { loadData, trainingSplits } from '../../src/data/load-data.ts';
import { finetune } from '../../src/finetune/finetune.ts';
import { idxBytes, makeTempDir, makeTinyCnn, removeDir } from '../finetune/helpers.ts';

/** n seeded-looking 28×28 images whose pixels encode their index and label. */
function mnistLike(n: number): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = (i * 7) % 10;
    for (let p = 0; p < 784; p++) images[i * 784 + p] = (i * 31 + p * 7) & 0xff;
  }
  return { images, labels };
}

test('raw and gzip IDX files load to the same dataset; a folder gives train and t10k splits', async () => {
  const dir = await makeTempDir('idx');
  try {
    const train = mnistLike(120);
    const t10k = mnistLike(40);
    await writeFile(join(dir, 'train-images-idx3-ubyte'), idxBytes([120, 28, 28], train.images));
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), idxBytes([120], train.labels));
    await writeFile(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idxBytes([40, 28, 28], t10k.images)));
    await writeFile(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idxBytes([40], t10k.labels)));
    const raw = await loadIdx(join(dir, 'train-images-idx3-ubyte'));
    assert.deepEqual(raw.shape, [28, 28, 1]);
    assert.deepEqual(raw.images, train.images);
    assert.deepEqual(Array.from(raw.labels), Array.from(train.labels));
    assert.equal(raw.classes.length, 10);
    const gz = await loadIdx(join(dir, 't10k-images-idx3-ubyte.gz'));
    assert.deepEqual(gz.images, t10k.images);
    const splits = await loadData(dir);
    assert.equal(splits.layout, 'idx-folder');
    assert.equal(splits.train?.labels.length, 120);
    assert.equal(splits.test?.labels.length, 40);
    const { train: tr, validation } = trainingSplits(splits, 0.1, 0);
    assert.equal(tr.labels.length, 120);
    assert.equal(validation.labels.length, 40);
    const single = await loadData(join(dir, 't10k-images-idx3-ubyte.gz'));
    assert.equal(single.layout, 'idx-file');
    assert.equal(single.all?.labels.length, 40);
    // A grey 28×28 model fine-tunes on the IDX splits.
    const model = await makeTinyCnn(1, [28, 28, 1]);
    const { bundle: tuned, summary } = await finetune(model, { train: tr, validation, epochs: 1, batch: 40, normalization: { scale: 1 / 255 } });
    assert.equal(summary.epochs, 1);
    assert.equal(summary.history.length, 1);
    // Accuracy on the 40 t10k images: a whole number of them.
    const acc = summary.accuracyAfter;
    assert.ok(acc !== null && acc >= 0 && acc <= 1 && Math.abs(acc * 40 - Math.round(acc * 40)) < 1e-9, `accuracy ${acc} is k/40`);
    const kernel = (b: typeof model): Float32Array => b.weights.find((w) => w.name === 'conv1/kernel')?.data as Float32Array;
    assert.notDeepEqual(kernel(tuned), kernel(model), 'the steps on the IDX images changed the weights');
  } finally {
    await removeDir(dir);
  }
});

test('malformed IDX data gives INVALID_DATA', async () => {
  const dir = await makeTempDir('idx-bad');
  const invalid = (error: unknown): boolean => isEdgePruneError(error) && error.code === 'INVALID_DATA';
  try {
    const { images, labels } = mnistLike(10);
    assert.throws(() => parseIdx(Buffer.from('PK\x03\x04 zip file'), 'x'), invalid);
    assert.throws(() => parseIdx(idxBytes([10, 28, 28], images.subarray(0, 700)), 'x'), invalid);
    assert.throws(() => parseIdx(gzipSync(idxBytes([10, 28, 28], images)).subarray(0, 100), 'x'), invalid);
    const floats = idxBytes([2], new Uint8Array(8));
    floats[2] = 0x0d;
    assert.throws(() => parseIdx(floats, 'x'), invalid);
    await writeFile(join(dir, 'a-images-idx3-ubyte'), idxBytes([10, 28, 28], images));
    await assert.rejects(() => loadIdx(join(dir, 'a-images-idx3-ubyte')), invalid); // labels file missing
    await writeFile(join(dir, 'a-labels-idx1-ubyte'), idxBytes([9], labels.subarray(0, 9)));
    await assert.rejects(() => loadIdx(join(dir, 'a-images-idx3-ubyte')), invalid); // 9 labels for 10 images
  } finally {
    await removeDir(dir);
  }
});
