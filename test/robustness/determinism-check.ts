// Determinism as a check: two fresh loads of a fixture, scored and pruned with the same seed, give byte-identical plans and bundles.
import assert from 'node:assert/strict';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { serializeBundle } from '../../src/bundle/write-bundle.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { scoreModel } from '../../src/score/score-model.ts';
import { planFromRatios } from '../../src/search/ratio-plan.ts';
import { ensureFixture, type FixtureName } from '../fixtures/build-fixtures.ts';

/** For each criterion: plan and pruned-bundle bytes of two independent runs are identical. */
export async function assertDeterministicPruning(name: FixtureName, criteria: readonly string[]): Promise<void> {
  const path = await ensureFixture(name);
  for (const criterion of criteria) {
    const run = async (): Promise<{ plan: string; bytes: Buffer }> => {
      const bundle = await readBundle(path);
      const { graph, groups } = analyzeModel(bundle);
      const plan = planFromRatios(groups, scoreModel(criterion, { bundle, graph, groups, seed: 11 }), 0.35);
      const { modelJson, shards } = serializeBundle(applyPlan(bundle, groups, plan));
      return { plan: JSON.stringify(plan), bytes: Buffer.concat([Buffer.from(JSON.stringify(modelJson)), ...shards.map((s) => Buffer.from(s.bytes))]) };
    };
    const [a, b] = [await run(), await run()];
    assert.equal(a.plan, b.plan, `${name} ${criterion}: plan`);
    assert.ok(a.bytes.equals(b.bytes), `${name} ${criterion}: bundle bytes`);
  }
}
