// The eval and finetune commands on the real VGG sample: JSON shapes, files written, resume, and the class-count check.
// tier: full (spawns the CLI; fine-tunes the VGG sample)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idxBytes } from '../finetune/helpers.ts';
import { copySampleSplit } from '../helpers/sample-data.ts';

const SAMPLE = 'samples/vgg/model.json';
const SAMPLE_DATA = 'samples/data';

/** Run the CLI and capture its output. */
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/edge-prune.js', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Number of image files under a folder's class sub-folders. */
async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const name of await readdir(dir)) n += (await readdir(join(dir, name))).length;
  return n;
}

/** Write `n` 32×32×3 IDX images with labels `label(i)` as `<dir>/<name>-images-idx3-ubyte` (+ labels). */
async function writeIdx(dir: string, name: string, n: number, label: (i: number) => number): Promise<string> {
  const images = new Uint8Array(n * 32 * 32 * 3).map((_, p) => (p * 37) & 0xff);
  await writeFile(join(dir, `${name}-images-idx3-ubyte`), idxBytes([n, 32, 32, 3], images));
  await writeFile(join(dir, `${name}-labels-idx1-ubyte`), idxBytes([n], Uint8Array.from({ length: n }, (_, i) => label(i))));
  return join(dir, `${name}-images-idx3-ubyte`);
}

test('eval --json prints exactly {accuracy, n} for the VGG sample on the held-out test/ folder of the bundled data', async () => {
  const r = cli('eval', SAMPLE, '--data', SAMPLE_DATA, '--json');
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(json).sort(), ['accuracy', 'n']);
  // samples/data holds train/ and test/: eval reads test/ only.
  assert.equal(json.n, await countFiles(join(SAMPLE_DATA, 'test')));
  assert.notEqual(json.n, await countFiles(join(SAMPLE_DATA, 'train')));
  // The sample scores 86.73% on the full CIFAR-10 test folder; the bundled 1,000 images must be close.
  assert.ok(json.accuracy > 0.75 && json.accuracy <= 1, `accuracy ${json.accuracy}`);
  const text = cli('eval', SAMPLE, '--data', SAMPLE_DATA);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^accuracy ${(json.accuracy * 100).toFixed(2)}% on ${json.n} images`));
  // A normalization flag without its partner is refused before any data is read.
  const half = cli('eval', SAMPLE, '--data', SAMPLE_DATA, '--mean', '0.5', '--json');
  assert.equal(half.code, 2, half.stdout);
  assert.equal(JSON.parse(half.stdout).error.code, 'INVALID_ARGUMENT');
});

test('finetune --json writes the bundle, summary and checkpoint; --resume of the finished run returns the same result', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'edge-prune-ft-cli-'));
  try {
    await copySampleSplit(join(dir, 'data', 'train'), 'train', 20);
    await copySampleSplit(join(dir, 'data', 'test'), 'test', 5);
    const out = join(dir, 'out');
    const args = ['finetune', SAMPLE, '--teacher', SAMPLE, '--data', join(dir, 'data'), '--epochs', '1', '--batch', '50', '--out', out, '--no-cache', '--json'];
    const r = cli(...args);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    for (const key of ['accuracyBefore', 'accuracyAfter']) assert.ok(json[key] >= 0 && json[key] <= 1, `${key} ${json[key]}`);
    assert.ok(json.accuracyBefore > 0.5, 'the trained sample classifies the held-out images');
    assert.ok(json.seconds > 0 && json.imagesPerSecond > 0);
    assert.ok(['tfjs-node', 'wasm', 'cpu'].includes(json.backend), `the training backend: ${json.backend}`);
    assert.equal(json.epochs, 1);
    assert.equal(json.validationImages, 50);
    assert.equal(json.interrupted, false);
    assert.equal(json.history.length, 1);
    assert.equal(json.model, join(out, 'model.json'));
    assert.equal(json.checkpoint, join(out, 'checkpoints'));
    assert.ok(existsSync(join(out, 'checkpoints', 'checkpoint.json')));
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    // --json adds where things were written and their sizes on disk (paths differ per run folder); summary.json holds the rest.
    const { model: _model, checkpoint: _checkpoint, params: _params, size: _size, ...printed } = json;
    assert.deepEqual(summary, printed, 'summary.json holds what --json printed about the training');
    assert.equal(json.size.written[0].path, join(out, 'model.json'));
    const written = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
    assert.equal(written.userDefinedMetadata.edgePrune.classes.length, 10, 'class names travel with the model');
    assert.equal(written.userDefinedMetadata.edgePrune.normalization.mean.length, 3, 'normalization travels with the model');
    const shard = written.weightsManifest[0].paths[0] as string;
    const weights = await readFile(join(out, shard));

    // The fine-tuned bundle is a working model.
    const evaluated = cli('eval', join(out, 'model.json'), '--data', join(dir, 'data'), '--no-cache', '--json');
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.equal(JSON.parse(evaluated.stdout).accuracy, json.accuracyAfter);

    // Resuming a finished run trains nothing more: same history, same weights.
    const again = cli(...args, '--resume');
    assert.equal(again.code, 0, again.stderr);
    const resumed = JSON.parse(again.stdout);
    assert.deepEqual(resumed.history, json.history);
    assert.equal(resumed.accuracyAfter, json.accuracyAfter);
    assert.ok((await readFile(join(out, shard))).equals(weights), 'the resumed run wrote the same weights');

    // Resuming with other settings is refused rather than mixed into the checkpoint.
    const other = cli(...args, '--resume', '--lr', '0.05');
    assert.equal(other.code, 2, other.stdout);
    assert.equal(JSON.parse(other.stdout).error.code, 'INVALID_ARGUMENT');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a class-count or class-name mismatch exits 9 with a typed message before training, writing nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'edge-prune-classes-cli-'));
  try {
    // Three class folders for a 10-class model.
    await copySampleSplit(join(dir, 'three', 'train'), 'train', 4, ['cat', 'dog', 'frog']);
    await copySampleSplit(join(dir, 'three', 'test'), 'test', 2, ['cat', 'dog', 'frog']);
    const out = join(dir, 'out');
    let r = cli('finetune', SAMPLE, '--data', join(dir, 'three'), '--epochs', '1', '--out', out, '--no-cache', '--json');
    assert.equal(r.code, 9, r.stdout);
    const error = JSON.parse(r.stdout).error;
    assert.equal(error.code, 'INVALID_DATA');
    assert.match(error.expected, /^10 classes/);
    assert.match(error.expected, /airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck/);
    assert.match(error.found, /^3 class folders: cat, dog, frog/);
    assert.match(error.where, /three/);
    assert.match(error.hint, /\(10, found 3\)/);
    assert.equal(existsSync(out), false, 'nothing written');

    // Text mode: the documented error and hint lines, no stack trace.
    r = cli('finetune', SAMPLE, '--data', join(dir, 'three'), '--epochs', '1', '--out', out, '--no-cache');
    assert.equal(r.code, 9);
    assert.match(r.stderr, /^error INVALID_DATA: .*expected 10 classes.*found 3 class folders/m);
    assert.match(r.stderr, /^hint: /m);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(existsSync(out), false, 'nothing written');

    r = cli('eval', SAMPLE, '--data', join(dir, 'three'), '--no-cache', '--json');
    assert.equal(r.code, 9, r.stdout);
    assert.match(JSON.parse(r.stdout).error.found, /^3 class folders/);

    // Ten folders, but one named differently from the model's metadata classes.
    await copySampleSplit(join(dir, 'renamed'), 'test', 2);
    await rename(join(dir, 'renamed', 'cat'), join(dir, 'renamed', 'kitten'));
    r = cli('eval', SAMPLE, '--data', join(dir, 'renamed'), '--no-cache', '--json');
    assert.equal(r.code, 9, r.stdout);
    assert.match(JSON.parse(r.stdout).error.found, /missing cat; unexpected kitten/);

    // IDX: labels beyond the model's 10 outputs fail; a subset of the label range fits.
    const idx = join(dir, 'idx');
    await mkdir(idx);
    const tooMany = await writeIdx(idx, 'twelve', 24, (i) => i % 12);
    r = cli('eval', SAMPLE, '--data', tooMany, '--json');
    assert.equal(r.code, 9, r.stdout);
    const idxError = JSON.parse(r.stdout).error;
    assert.match(idxError.expected, /labels 0\.\.9 \(the model has 10 output units\)/);
    assert.match(idxError.found, /labels up to 11 \(12 classes\)/);
    const subset = await writeIdx(idx, 'five', 20, (i) => i % 5);
    r = cli('eval', SAMPLE, '--data', subset, '--json');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(JSON.parse(r.stdout).n, 20);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
