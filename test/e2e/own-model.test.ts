// A user's own model without data: a tight budget stops at the agreement floor (exit 10); --force goes on and says accuracy was not checked.
// tier: full (spawns the CLI on the MobileNetV2 fixture twice)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';
import { predictOnTarget } from '../../src/latency/target-predictor.ts';
import { DEFAULT_FLOORS } from '../../src/search/fidelity.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';

/** The MobileNetV2-style fixture and a budget 0.63× its predicted pixel7 latency as deployed (reachable by pruning, not above the floor). */
async function setup(): Promise<{ model: string; budgetMs: number; out: string }> {
  const model = await ensureFixture('mobilenetv2');
  const graph = analyzeModel(await readBundle(model)).graph;
  const budgetMs = Number((0.63 * predictOnTarget(graph, loadTarget('pixel7')).resources.latencyMs).toFixed(4));
  return { model, budgetMs, out: join(await mkdtemp(join(tmpdir(), 'ep-own-')), 'run') };
}

/** Run the main command. */
function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['bin/edge-prune.js', ...args], { encoding: 'utf8', timeout: 600_000 });
}

test('no data and a tight budget: the search stops at the agreement floor, writes the best plan above it and exits 10', async () => {
  const { model, budgetMs, out } = await setup();
  const r = run([model, '--target', 'pixel7', '--latency-ms', String(budgetMs), '--method', 'none', '--out', out]);
  assert.equal(r.status, 10, `exit ${r.status}: ${r.stderr.slice(-1500)}`);
  assert.match(r.stderr, /error BUDGET_UNREACHABLE: .*logit cosine.*≥ 0\.9/);
  assert.match(r.stderr, /hint: what would help: --data .*a looser budget.*another target/);
  assert.ok(existsSync(join(out, 'plan.json')), 'the best plan above the floor is written');
  const rounds = (await readFile(join(out, 'history.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { quality: number; group: string; drop: number[] });
  assert.ok(rounds.length > 0, 'the search pruned before it stopped');
  for (const round of rounds) assert.ok(round.quality >= DEFAULT_FLOORS['logit cosine'], `every kept round is above the floor: ${round.quality}`);
  const plan = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8')) as { groups: { id: string; drop: number[] }[] };
  const lastDrop = new Map(rounds.map((round) => [round.group, round.drop]));
  for (const g of plan.groups) assert.deepEqual(g.drop, lastDrop.get(g.id) ?? [], `plan.json holds the kept rounds' drops (${g.id})`);
  assert.ok(plan.groups.some((g) => g.drop.length > 0), 'the plan drops channels');
});

test('--force goes past the floor, loudly, and the verdict says accuracy was not checked', async () => {
  const { model, budgetMs, out } = await setup();
  const text = run([model, '--target', 'pixel7', '--latency-ms', String(budgetMs), '--method', 'none', '--force', '--out', out]);
  assert.ok(text.status === 0 || text.status === 11, `exit ${text.status}: ${text.stderr.slice(-1500)}`);
  assert.match(text.stderr, /--force: the search ignores the fidelity floor/);
  assert.match(text.stdout, /budgets met · accuracy NOT checked: no labelled data/);
  assert.doesNotMatch(text.stdout, /every budget met/);
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
  assert.equal(report.accuracyChecked, false);
  assert.equal(report.accuracy.before, null);
  assert.ok(report.latency.predictedMs <= budgetMs, `forced to the budget: ${report.latency.predictedMs} ≤ ${budgetMs}`);
  assert.ok(report.agreement.after < DEFAULT_FLOORS['logit cosine'], `below the floor it would have held: ${report.agreement.after}`);
  assert.ok(report.notes.some((n: string) => n.startsWith('FORCED')));
  assert.ok(report.speedup.folding > 1, 'the folded bundle alone is faster');
});
