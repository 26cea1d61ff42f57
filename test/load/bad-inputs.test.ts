// Each kind of bad model input ends in its own typed EdgePruneError, never a crash or a partial read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, cp, truncate, symlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { EdgePruneError } from '../../src/core/errors.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';

/** A private copy of the flatten-dense fixture to damage. */
async function copyFixture(): Promise<string> {
  const src = await ensureFixture('flatten-dense');
  const dir = await mkdtemp(join(tmpdir(), 'ep-bad-'));
  await cp(join(src, '..'), dir, { recursive: true });
  return join(dir, 'model.json');
}

/** Edit model.json as JSON. */
async function editJson(path: string, edit: (json: any) => void): Promise<void> {
  const json = JSON.parse(await readFile(path, 'utf8'));
  edit(json);
  await writeFile(path, JSON.stringify(json));
}

/** Assert a promise rejects with an EdgePruneError of `code` whose message mentions `mention`. */
async function expectCode(run: () => Promise<unknown>, code: string, mention?: RegExp): Promise<void> {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof EdgePruneError, `expected EdgePruneError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.ok(error.hint.length > 0, 'every error has a hint');
    if (mention) assert.match(`${error.message} ${error.where}`, mention);
    return true;
  });
}

test('invalid JSON gives INVALID_JSON naming the file', async () => {
  const path = await copyFixture();
  await writeFile(path, '{"modelTopology": {');
  await expectCode(() => readBundle(path), 'INVALID_JSON', /model\.json/);
});

test('a missing shard gives MISSING_WEIGHTS naming the shard', async () => {
  const path = await copyFixture();
  await editJson(path, (j) => { j.weightsManifest[0].paths[0] = 'nope.bin'; });
  await expectCode(() => readBundle(path), 'MISSING_WEIGHTS', /nope\.bin|model\.json/);
});

test('a truncated shard gives WEIGHTS_MISMATCH before any decoding', async () => {
  const path = await copyFixture();
  await truncate(join(path, '..', 'group1-shard1of1.bin'), 100);
  await expectCode(() => readBundle(path), 'WEIGHTS_MISMATCH', /model\.json/);
});

test('an oversized shard gives WEIGHTS_MISMATCH', async () => {
  const path = await copyFixture();
  const shard = join(path, '..', 'group1-shard1of1.bin');
  await writeFile(shard, Buffer.concat([await readFile(shard), Buffer.alloc(8)]));
  await expectCode(() => readBundle(path), 'WEIGHTS_MISMATCH');
});

test('a manifest shape that disagrees with the layer gives WEIGHTS_MISMATCH naming the layer', async () => {
  const path = await copyFixture();
  await editJson(path, (j) => {
    const w = j.weightsManifest[0].weights.find((s: any) => s.name.endsWith('/kernel') && s.shape.length === 4);
    // Same element count, wrong layout: the bytes still match, the layer does not.
    w.shape = [w.shape[1], w.shape[0], w.shape[3], w.shape[2]];
  });
  const bundle = await readBundle(path);
  assert.throws(() => analyzeModel(bundle), (e: unknown) => e instanceof EdgePruneError && e.code === 'WEIGHTS_MISMATCH' && /layer "/.test(e.where));
});

test('a ../ weight path gives PATH_ESCAPE', async () => {
  const path = await copyFixture();
  await editJson(path, (j) => { j.weightsManifest[0].paths[0] = '../group1-shard1of1.bin'; });
  await expectCode(() => readBundle(path), 'PATH_ESCAPE', /\.\.\//);
});

test('an absolute weight path gives PATH_ESCAPE', async () => {
  const path = await copyFixture();
  await editJson(path, (j) => { j.weightsManifest[0].paths[0] = '/etc/passwd'; });
  await expectCode(() => readBundle(path), 'PATH_ESCAPE');
});

test('a symlink pointing out of the folder gives PATH_ESCAPE', async () => {
  const path = await copyFixture();
  const outside = await mkdtemp(join(tmpdir(), 'ep-outside-'));
  await cp(join(path, '..', 'group1-shard1of1.bin'), join(outside, 'real.bin'));
  await mkdir(join(path, '..', 'sub'));
  await symlink(join(outside, 'real.bin'), join(path, '..', 'sub', 'link.bin'));
  await editJson(path, (j) => { j.weightsManifest[0].paths[0] = 'sub/link.bin'; });
  await expectCode(() => readBundle(path), 'PATH_ESCAPE', /link/);
});

test('an unknown layer class gives UNSUPPORTED_LAYER naming layer and class; --lock-unknown locks it', async () => {
  const path = await copyFixture();
  await editJson(path, (j) => {
    const layers = j.modelTopology.model_config?.config?.layers ?? j.modelTopology.config.layers;
    const relu = layers.find((l: any) => l.class_name === 'ReLU' || l.class_name === 'Activation');
    relu.class_name = 'FancyNorm';
  });
  const bundle = await readBundle(path);
  assert.throws(() => analyzeModel(bundle), (e: unknown) => e instanceof EdgePruneError && e.code === 'UNSUPPORTED_LAYER' && /FancyNorm/.test(e.found) && /layer "/.test(e.where));
  const locked = analyzeModel(bundle, { lockUnknown: true });
  assert.ok(locked.groups.some((g) => g.locked && g.lockReasons.some((r) => r.includes('FancyNorm'))));
});

test('NaN weights give INVALID_MODEL naming the weight', async () => {
  const path = await copyFixture();
  const shard = join(path, '..', 'group1-shard1of1.bin');
  const bytes = await readFile(shard);
  bytes.writeFloatLE(Number.NaN, 8);
  await writeFile(shard, bytes);
  await expectCode(() => readBundle(path), 'INVALID_MODEL', /weight "/);
});

test('a cycle in a functional graph gives INVALID_MODEL', async () => {
  const path = await ensureFixture('inception');
  const bundle = await readBundle(path);
  const topology = structuredClone(bundle.topology) as any;
  const layers = (topology.model_config ?? topology).config.layers;
  const first = layers.find((l: any) => l.class_name === 'Conv2D');
  const last = layers[layers.length - 1];
  first.inbound_nodes = [[[last.name, 0, 0, {}]]];
  assert.throws(() => analyzeModel({ ...bundle, topology }), (e: unknown) => e instanceof EdgePruneError && e.code === 'INVALID_MODEL' && /cycle/.test(e.found));
});
