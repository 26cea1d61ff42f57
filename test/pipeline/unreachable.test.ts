// The main flow stops typed, before fine-tuning or exporting, when even the smallest model misses the budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { predictOnTarget } from '../../src/latency/target-predictor.ts';
import { runPipeline } from '../../src/pipeline.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';
import { makeTempDir, removeDir } from '../finetune/helpers.ts';

test('a latency budget below the smallest model is BUDGET_UNREACHABLE naming the smallest prediction; nothing is exported', async () => {
  const model = await ensureFixture('mobilenetv2');
  const unpruned = predictOnTarget(analyzeModel(await readBundle(model)).graph, loadTarget('pixel7')).resources.latencyMs;
  const out = await makeTempDir('unreachable');
  try {
    const budget = unpruned / 100;
    await assert.rejects(runPipeline({ model, target: 'pixel7', budget: { latencyMs: budget }, outDir: out, method: 'none' }), (error: Error & { code?: string; found?: string; hint?: string }) => {
      assert.equal(error.code, 'BUDGET_UNREACHABLE');
      const smallest = Number(/latencyMs ([\d.]+)/.exec(error.found ?? '')?.[1]);
      assert.ok(smallest > budget && smallest < unpruned, `the smallest model's prediction ${smallest} lies between the budget ${budget} and the unpruned ${unpruned}: ${error.found}`);
      assert.match(error.hint ?? '', /--latency-ms [\d.]+/);
      return true;
    });
    assert.equal(existsSync(join(out, 'export')), false, 'nothing exported');
  } finally {
    await removeDir(out);
  }
});
