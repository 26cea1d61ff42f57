// FSCL against its two oracles: the impulse response of a pruned linear chain, and the literal formula on every fixture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { scoreModel } from '../../src/score/score-model.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { predict } from '../../src/runtime/layers-model.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';
import { SMALL_FIXTURES } from '../fixtures/fixture-sets.ts';
import { assertFastFsclMatchesDirect } from './fscl-direct.ts';

test('impulse-response energy through channel i of a linear chain equals FSCL(i)²', async () => {
  const bundle = await readBundle(await ensureFixture('chain'));
  const { graph, groups } = analyzeModel(bundle);
  const group = groups.find((g) => !g.locked);
  assert.ok(group, 'the chain has one prunable group');
  const scores = scoreModel('fscl', { bundle, graph, groups, seed: 0 }).groups.find((g) => g.id === group.id)?.scores ?? [];
  const [h, w, cin] = graph.nodes[0]?.outputShape ?? [];
  assert.deepEqual([h, w, cin], [16, 16, 3]);
  for (let i = 0; i < group.size; i++) {
    const drop = Array.from({ length: group.size }, (_, k) => k).filter((k) => k !== i);
    const single = applyPlan(bundle, groups, { version: 1, criterion: 'test', groups: [{ id: group.id, size: group.size, drop }] });
    let energy = 0;
    for (let c = 0; c < 3; c++) {
      const input = new Float32Array(16 * 16 * 3);
      input[(8 * 16 + 8) * 3 + c] = 1;
      const out = await predict(single, input, [1, 16, 16, 3]);
      energy += out.reduce((s, x) => s + x * x, 0);
    }
    const fscl = scores[i] as number;
    assert.ok(Math.abs(energy - fscl * fscl) <= 1e-4 * fscl * fscl, `channel ${i}: impulse energy ${energy} vs FSCL² ${fscl * fscl}`);
  }
});

// VGG-16: test/fixtures/vgg16.test.ts.
for (const name of SMALL_FIXTURES) {
  test(`fast FSCL equals the literal path-kernel formula on ${name}`, () => assertFastFsclMatchesDirect(name));
}
