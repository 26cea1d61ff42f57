// The CLI contract of analyze, score and prune (JSON shapes, files written, typed errors and exit codes).
// tier: full (spawns the CLI)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeModel, describeGroups } from '../../src/analyze/analyze-model.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';

/** Run the CLI and capture its output. */
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/edge-prune.js', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('analyze --json prints macs, params and groups with members', async () => {
  const model = await ensureFixture('resnet56');
  const r = cli('analyze', model, '--json');
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(typeof json.macs, 'number');
  assert.equal(typeof json.params, 'number');
  assert.ok(json.groups.length > 0);
  for (const g of json.groups) {
    assert.equal(typeof g.id, 'string');
    assert.equal(typeof g.size, 'number');
    assert.equal(typeof g.locked, 'boolean');
    for (const m of g.members) {
      assert.equal(typeof m.layer, 'string');
      assert.equal(typeof m.weight, 'string');
      assert.equal(typeof m.axis, 'number');
    }
  }
  // The figures are the library's analysis of the same file, not just numbers of the right type.
  const analysis = analyzeModel(await readBundle(model));
  assert.deepEqual(json, JSON.parse(JSON.stringify({ macs: analysis.cost.macs, params: analysis.cost.params, layers: analysis.cost.layers, groups: analysis.groups })));
  const text = cli('analyze', model);
  assert.match(text.stdout, /channel groups, \d+ prunable/);
  assert.equal(text.stdout.trim(), describeGroups(analysis).trim());
});

test('score --json prints one score per channel of every prunable group', async () => {
  const model = await ensureFixture('mobilenetv2');
  const analysis = JSON.parse(cli('analyze', model, '--json').stdout);
  for (const criterion of ['fscl', 'l1', 'l2', 'fpgm', 'bn-scale', 'random']) {
    const r = cli('score', model, '--criterion', criterion, '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.criterion, criterion);
    const open = analysis.groups.filter((g: { locked: boolean }) => !g.locked);
    assert.equal(json.groups.length, open.length);
    json.groups.forEach((g: { id: string; scores: number[] }, i: number) => {
      assert.equal(g.id, open[i].id);
      assert.equal(g.scores.length, open[i].size);
    });
  }
});

test('random scores are seeded: same seed same scores, other seed other scores', async () => {
  const model = await ensureFixture('flatten-dense');
  const a = cli('score', model, '--criterion', 'random', '--seed', '7', '--json').stdout;
  assert.equal(cli('score', model, '--criterion', 'random', '--seed', '7', '--json').stdout, a);
  assert.notEqual(cli('score', model, '--criterion', 'random', '--seed', '8', '--json').stdout, a);
});

test('prune --ratio writes a loadable pruned bundle and plan; --ratios prunes one group (--plan replay: determinism-cli.test.ts)', async () => {
  const model = await ensureFixture('vgg16');
  const out = await mkdtemp(join(tmpdir(), 'ep-prune-'));
  const r = cli('prune', model, '--criterion', 'fscl', '--ratio', '0.5', '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.ok(json.macs.after < json.macs.before * 0.3, `MACs ${json.macs.before} → ${json.macs.after}`);
  assert.ok(json.params.after < json.params.before);
  assert.ok((await readdir(out)).includes('plan.json'));
  const again = JSON.parse(cli('analyze', join(out, 'model.json'), '--json').stdout);
  assert.equal(again.macs, json.macs.after);
  const ratios = join(out, 'ratios.json');
  await writeFile(ratios, JSON.stringify({ conv1: 0.5 }));
  const r3 = JSON.parse(cli('prune', model, '--ratios', ratios, '--out', await mkdtemp(join(tmpdir(), 'ep-ratios-')), '--json').stdout);
  assert.ok(r3.macs.after < r3.macs.before && r3.macs.after > json.macs.after);
});

test('errors print "error CODE: message" and a hint, no stack trace, with a distinct exit code', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ep-cli-err-'));
  await writeFile(join(dir, 'model.json'), '{not json');
  const r = cli('analyze', join(dir, 'model.json'));
  assert.equal(r.code, 3);
  assert.match(r.stderr, /^error INVALID_JSON: /);
  assert.match(r.stderr, /\nhint: /);
  assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+/);
  const j = cli('analyze', join(dir, 'model.json'), '--json');
  assert.equal(JSON.parse(j.stdout).error.code, 'INVALID_JSON');
  const bad = cli('prune', await ensureFixture('chain'), '--ratio', '1.5', '--out', join(dir, 'x'));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /INVALID_ARGUMENT/);
  assert.deepEqual(await readdir(dir), ['model.json'], 'a failed prune writes nothing');
});
