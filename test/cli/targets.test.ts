// `edge-prune targets`: the JSON list of every target with its budget, and the human table.
// tier: full (spawns the CLI)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('`edge-prune targets --json` lists every target with its budget', () => {
  const run = spawnSync(process.execPath, ['bin/edge-prune.js', 'targets', '--json'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const rows = JSON.parse(run.stdout) as Array<{ name: string; profile: string; runtime: string; budget: { latencyMs: number; memoryMb: number } }>;
  assert.ok(rows.length >= 6);
  for (const r of rows) {
    assert.equal(typeof r.name, 'string');
    assert.equal(typeof r.profile, 'string');
    assert.equal(typeof r.runtime, 'string');
    assert.ok(r.budget.latencyMs > 0 && r.budget.memoryMb > 0);
  }
  const text = spawnSync(process.execPath, ['bin/edge-prune.js', 'targets'], { encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /pixel7-webgl/);
  assert.match(text.stdout, /latency ms/);
});
