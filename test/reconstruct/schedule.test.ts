// Gradual pruning: the steps reach the one-shot architecture, write each step's model and the fine-tune checkpoints, and a resumed run ends where an uninterrupted one does; budgets in minutes.
// tier: full (distills a tiny CNN for a few steps, twice)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { isEdgePruneError } from '../../src/core/errors.ts';
import { selectImages } from '../../src/data/dataset.ts';
import { loadImageFolder } from '../../src/data/image-folder.ts';
import { chooseBudget } from '../../src/finetune/budget.ts';
import { parseSchedule } from '../../src/finetune/schedule.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { gradualPrune, stepPlan } from '../../src/pipeline-schedule.ts';
import { scoreModel } from '../../src/score/score-model.ts';
import { planFromRatios } from '../../src/search/ratio-plan.ts';
import { makeTempDir, makeTinyCnn, removeDir } from '../finetune/helpers.ts';
import { SAMPLE_DATA } from '../helpers/sample-data.ts';

test('iterative schedule: checkpoints per step, resumes to the uninterrupted result, ends at the one-shot architecture', async () => {
  const original = await makeTinyCnn(3);
  const analysis = analyzeModel(original);
  const scores = scoreModel('l1', { bundle: original, graph: analysis.graph, groups: analysis.groups, seed: 1 });
  const plan = planFromRatios(analysis.groups, scores, 0.5);
  const all = (await loadImageFolder(join(SAMPLE_DATA, 'train'), { size: [32, 32], cacheDir: false })).dataset;
  const train = selectImages(all, Array.from({ length: 192 }, (_, i) => i * 7));
  const dir = await makeTempDir('schedule');
  try {
    const options = { original, groups: analysis.groups, plan, scores, steps: 2, train, epochs: 1, seed: 4 };
    const whole = await gradualPrune({ ...options, checkpointDir: join(dir, 'a') });
    for (const f of ['step-1/model/model.json', 'step-1/step.json', 'step-1/checkpoints', 'step-2/model/model.json', 'final']) assert.ok(existsSync(join(dir, 'a', f)), `${f} written`);
    const oneShot = applyPlan(original, analysis.groups, plan);
    assert.deepEqual(whole.bundle.weights.map((w) => w.shape), oneShot.weights.map((w) => w.shape));

    // Interrupted after step 1: the resumed run reuses step 1 and reaches the same weights.
    await gradualPrune({ ...options, checkpointDir: join(dir, 'b') });
    await rm(join(dir, 'b', 'step-2'), { recursive: true });
    await rm(join(dir, 'b', 'final'), { recursive: true });
    const resumed = await gradualPrune({ ...options, checkpointDir: join(dir, 'b'), resume: true });
    assert.equal(resumed.steps.length, 1, 'only step 2 ran again');
    for (const w of whole.bundle.weights) {
      const r = resumed.bundle.weights.find((x) => x.name === w.name)?.data as Float32Array;
      assert.deepEqual(Array.from(r), Array.from(w.data), w.name);
    }
  } finally {
    await removeDir(dir);
  }
});

test('step plans grow to the final plan, lowest scores first', () => {
  const plan = { version: 1 as const, criterion: 'l1', groups: [{ id: 'g', size: 6, drop: [0, 2, 3, 5] }] };
  const scores = { criterion: 'l1', groups: [{ id: 'g', scores: [0.4, 9, 0.1, 0.3, 9, 0.2] }] };
  assert.deepEqual(stepPlan(plan, scores, 1, 2).groups[0]?.drop, [2, 5]);
  assert.deepEqual(stepPlan(plan, scores, 2, 2).groups[0]?.drop, [0, 2, 3, 5]);
  assert.equal(parseSchedule('iterative').kind, 'iterative');
  assert.throws(() => parseSchedule('iterative:1'), (e: unknown) => isEdgePruneError(e) && e.code === 'INVALID_ARGUMENT');
});

test('a budget in minutes: whole epochs, a subset below one, gradual only with room for it', () => {
  const big = chooseBudget(60, 100, 50_000);
  assert.equal(big.epochs, 7);
  assert.equal(big.steps, 3);
  const small = chooseBudget(2, 100, 50_000);
  assert.equal(small.epochs, 1);
  assert.equal(small.subset, 12_000);
  assert.equal(small.steps, 1);
  assert.equal(chooseBudget(60, 100, 50_000, 1).steps, 1, 'the user\'s schedule wins');
  assert.match(big.text, /7 epoch/);
});
