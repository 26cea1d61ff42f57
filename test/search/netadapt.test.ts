// The budget search (library): meets budgets on real fixtures, is deterministic, resumes to the same plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';
import { planSearch } from '../../src/search/plan-search.ts';
import { predictOnTarget } from '../../src/latency/target-predictor.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';

/** The mobilenetv2 fixture, analyzed, with the host target. */
async function setup() {
  const bundle = await readBundle(await ensureFixture('mobilenetv2'));
  return { bundle, analysis: analyzeModel(bundle), target: loadTarget('host') };
}

test('netadapt meets a latency budget; the plan replays to a model that meets it', async () => {
  const { bundle, analysis, target } = await setup();
  const original = predictOnTarget(analysis.graph, target).resources.latencyMs;
  const budget = { latencyMs: original * 0.75 };
  const out = await mkdtemp(join(tmpdir(), 'ep-search-'));
  // The search's mechanics, past the fidelity floor (the floor has its own tests: test/e2e/own-model.test.ts).
  const result = await planSearch({ bundle, analysis, target, budget, outDir: out, seed: 1, force: true });
  assert.equal(result.met, true, result.reason);
  assert.ok(result.predicted.latencyMs <= budget.latencyMs);
  assert.ok(result.macs.after < result.macs.before);
  const plan = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8'));
  const pruned = analyzeModel(applyPlan(bundle, analysis.groups, plan));
  assert.ok(predictOnTarget(pruned.graph, target).resources.latencyMs <= budget.latencyMs, 'replayed plan meets the budget');
  assert.equal(pruned.cost.macs, result.macs.after);
  const history = (await readFile(join(out, 'history.jsonl'), 'utf8')).trim().split('\n');
  assert.equal(history.length, result.rounds.length);
  for (const [i, line] of history.entries()) assert.equal(JSON.parse(line).round, i + 1);
  assert.equal(result.floor, undefined, 'forced: no floor held');
  // Channel rounding: every pruned group keeps a multiple of the target's rounding.
  for (const g of plan.groups) if (g.drop.length > 0 && g.size > target.target.channelRounding) assert.equal((g.size - g.drop.length) % target.target.channelRounding, 0);
});

test('the same seed gives the same plan; a resumed search (after a torn history line) reaches the same plan', async () => {
  const { bundle, analysis, target } = await setup();
  const budget = { latencyMs: predictOnTarget(analysis.graph, target).resources.latencyMs * 0.8 };
  const a = await mkdtemp(join(tmpdir(), 'ep-a-'));
  const b = await mkdtemp(join(tmpdir(), 'ep-b-'));
  const full = await planSearch({ bundle, analysis, target, budget, outDir: a, seed: 3, force: true });
  const again = await planSearch({ bundle, analysis, target, budget, outDir: b, seed: 3, force: true });
  assert.deepEqual(again.plan, full.plan);
  assert.ok(full.rounds.length >= 2, 'several rounds');
  // Interrupt: keep the first round only, plus half a line as a kill mid-write leaves it.
  const c = await mkdtemp(join(tmpdir(), 'ep-c-'));
  const lines = (await readFile(join(a, 'history.jsonl'), 'utf8')).split('\n');
  await appendFile(join(c, 'history.jsonl'), `${lines[0]}\n${(lines[1] ?? '').slice(0, 40)}`);
  const resumed = await planSearch({ bundle, analysis, target, budget, outDir: c, seed: 3, resume: true, force: true });
  assert.deepEqual(resumed.plan, full.plan);
  assert.equal((await readFile(join(c, 'history.jsonl'), 'utf8')).trim().split('\n').length, full.rounds.length);
});

test('global and manual modes share the plan format and meet or report the budget', async () => {
  const { bundle, analysis, target } = await setup();
  const budget = { latencyMs: predictOnTarget(analysis.graph, target).resources.latencyMs * 0.8 };
  const g = await planSearch({ bundle, analysis, target, budget, mode: 'global' });
  assert.equal(g.met, true);
  assert.ok(g.predicted.latencyMs <= budget.latencyMs);
  applyPlan(bundle, analysis.groups, g.plan);
  const m = await planSearch({ bundle, analysis, target, budget, mode: 'manual', ratios: 0.5 });
  assert.equal(m.plan.version, 1);
  assert.ok(m.macs.after < m.macs.before * 0.6);
});
