// `edge-prune plan` and the main command with a size budget only quantizing meets: the plan records uint8, the bundles are written in it, and the outputs say what met each budget.
// tier: full (spawns the CLI, runs the main command with export)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelBytesOnDisk } from '../../src/bundle/disk-size.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { sourceEncoding } from '../../src/bundle/encoding.ts';
import { MB } from '../../src/latency/memory.ts';

const MODEL = join('samples', 'vgg', 'model.json');
const FLAGS = ['--target', 'pixel7', '--latency-ms', '5', '--size-mb', '0.3', '--search', 'global'];

test('plan and the main command meet a size budget by uint8 weights and say so', async () => {
  const out = await mkdtemp(join(tmpdir(), 'ep-plan-enc-'));
  try {
    const plan = spawnSync(process.execPath, ['bin/edge-prune.js', 'plan', MODEL, ...FLAGS, '--out', join(out, 'plan'), '--json'], { encoding: 'utf8' });
    assert.equal(plan.status, 0, plan.stderr);
    const json = JSON.parse(plan.stdout);
    assert.equal(json.encoding.chosen, 'uint8');
    assert.deepEqual(Object.fromEntries(json.encoding.metBy.map((a: { budget: string; by: string }) => [a.budget, a.by])), { latencyMs: 'pruning', memoryMb: 'already met', modelSizeMb: 'encoding' });
    assert.equal(JSON.parse(await readFile(join(out, 'plan', 'plan.json'), 'utf8')).encoding, 'uint8');
    const text = spawnSync(process.execPath, ['bin/edge-prune.js', 'plan', MODEL, ...FLAGS, '--out', join(out, 'plan2')], { encoding: 'utf8' });
    assert.match(text.stdout, /size 0\.55 → 0\.2\d MB \(budget 0\.3\): met by uint8 weights/);
    const run = spawnSync(process.execPath, ['bin/edge-prune.js', MODEL, ...FLAGS, '--method', 'none', '--out', join(out, 'run'), '--json'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.budgets.find((b: { budget: string }) => b.budget === 'modelSizeMb').metBy, 'uint8 weights');
    const written = join(out, 'run', 'model', 'model.json');
    assert.equal(sourceEncoding(await readBundle(written)), 'uint8', 'the model is written in the plan\'s encoding');
    assert.ok((await modelBytesOnDisk(written)) <= 0.3 * MB, 'its bytes on disk meet the size budget');
    assert.ok((await modelBytesOnDisk(join(out, 'run', 'export', 'tfjs-graph', 'model.json'))) <= 0.3 * MB);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
