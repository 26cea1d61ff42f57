// The finetune and eval commands: JSON shapes, files written, resume, and typed errors with exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeBundle } from '../../src/bundle/write-bundle.ts';
import { copyCifarSubset, makeTempDir, makeTinyCnn, removeDir } from './helpers.ts';

/** Run the CLI and capture its output. */
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/edge-prune.js', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

test('eval --json prints {accuracy, n} on the held-out folder of the bundled data', async () => {
  const dir = await makeTempDir('cli-eval');
  try {
    const model = await writeBundle(await makeTinyCnn(2), dir);
    const r = cli('eval', model, '--data', 'samples/data', '--json', '--no-cache');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(json).sort(), ['accuracy', 'n']);
    assert.equal(json.n, 1000);
    assert.ok(json.accuracy >= 0 && json.accuracy <= 1);
  } finally {
    await removeDir(dir);
  }
});

test('finetune --json writes the model, summary and checkpoint; --resume of a finished run is immediate', async () => {
  const dir = await makeTempDir('cli-ft');
  try {
    await copyCifarSubset(join(dir, 'data', 'train'), 'train', CLASSES, 20);
    await copyCifarSubset(join(dir, 'data', 'test'), 'test', CLASSES, 5);
    const model = await writeBundle(await makeTinyCnn(3), join(dir, 'model'));
    const args = ['finetune', model, '--teacher', model, '--data', join(dir, 'data'), '--epochs', '2', '--batch', '50', '--out', join(dir, 'out'), '--no-cache', '--json'];
    const r = cli(...args);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    for (const key of ['accuracyBefore', 'accuracyAfter', 'epochs', 'seconds', 'imagesPerSecond', 'backend']) assert.ok(key in json, key);
    assert.equal(json.epochs, 2);
    assert.equal(typeof json.backend, 'string');
    assert.ok(json.imagesPerSecond > 0);
    assert.ok(existsSync(join(dir, 'out', 'model.json')));
    assert.ok(existsSync(join(dir, 'out', 'checkpoints', 'checkpoint.json')));
    const written = JSON.parse(await readFile(join(dir, 'out', 'model.json'), 'utf8'));
    assert.deepEqual(written.userDefinedMetadata.edgePrune.normalization.mean.length, 3, 'normalization travels with the model');
    const again = cli(...args, '--resume');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout).history, json.history);
  } finally {
    await removeDir(dir);
  }
});

test('bad data and bad flags exit with typed errors', async () => {
  const dir = await makeTempDir('cli-bad');
  try {
    const model = await writeBundle(await makeTinyCnn(4), join(dir, 'model'));
    await mkdir(join(dir, 'data', 'cat'), { recursive: true });
    let r = cli('eval', model, '--data', join(dir, 'data'), '--json', '--no-cache');
    assert.equal(r.code, 9, r.stdout);
    assert.equal(JSON.parse(r.stdout).error.code, 'INVALID_DATA');
    await copyCifarSubset(join(dir, 'two'), 'test', ['cat', 'dog'], 3);
    r = cli('eval', model, '--data', join(dir, 'two'), '--json', '--no-cache');
    assert.equal(r.code, 9, r.stdout);
    assert.match(JSON.parse(r.stdout).error.expected, /10 classes/);
    r = cli('eval', model, '--data', 'samples/data', '--mean', '0.5', '--json');
    assert.equal(r.code, 2, r.stdout);
    assert.equal(JSON.parse(r.stdout).error.code, 'INVALID_ARGUMENT');
  } finally {
    await removeDir(dir);
  }
});
