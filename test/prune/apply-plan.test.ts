// applyPlan is pure, exact on shapes and configs, and rejects malformed plans with INVALID_PLAN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { EdgePruneError } from '../../src/core/errors.ts';
import type { PrunePlan } from '../../src/core/types.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';

test('an empty plan returns equal weights and topology, in new arrays', async () => {
  const bundle = await readBundle(await ensureFixture('resnet56'));
  const { groups } = analyzeModel(bundle);
  const out = applyPlan(bundle, groups, { version: 1, criterion: 'none', groups: [] });
  assert.deepEqual(out.topology, bundle.topology);
  out.weights.forEach((w, i) => {
    assert.deepEqual(w, bundle.weights[i]);
    assert.notEqual(w.data, bundle.weights[i]?.data, 'weights are copied, not shared');
  });
});

test('applyPlan never mutates its input and shrinks every member and config', async () => {
  const bundle = await readBundle(await ensureFixture('inception'));
  const before = structuredClone(bundle);
  const { groups, cost } = analyzeModel(bundle);
  const plan: PrunePlan = {
    version: 1,
    criterion: 'test',
    groups: groups.filter((g) => !g.locked).map((g) => ({ id: g.id, size: g.size, drop: [0, g.size - 1].filter((v, i, a) => a.indexOf(v) === i && g.size > 2) })),
  };
  const pruned = applyPlan(bundle, groups, plan);
  assert.deepEqual(bundle, before, 'input unchanged');
  const after = analyzeModel(pruned);
  assert.ok(after.cost.macs < cost.macs);
  for (const g of groups.filter((x) => !x.locked)) {
    const dropped = g.size > 2 ? 2 : 0;
    const twin = after.groups.find((x) => x.id === g.id);
    assert.equal(twin?.size, g.size - dropped, `group ${g.id}`);
  }
});

test('malformed plans are rejected with INVALID_PLAN', async () => {
  const bundle = await readBundle(await ensureFixture('flatten-dense'));
  const { groups } = analyzeModel(bundle);
  const open = groups.find((g) => !g.locked);
  const locked = groups.find((g) => g.locked);
  assert.ok(open && locked);
  const cases: [string, unknown][] = [
    ['unknown group', { version: 1, criterion: 'x', groups: [{ id: 'nope', size: 3, drop: [0] }] }],
    ['out-of-range index', { version: 1, criterion: 'x', groups: [{ id: open.id, size: open.size, drop: [open.size] }] }],
    ['unsorted indices', { version: 1, criterion: 'x', groups: [{ id: open.id, size: open.size, drop: [1, 0] }] }],
    ['duplicate indices', { version: 1, criterion: 'x', groups: [{ id: open.id, size: open.size, drop: [1, 1] }] }],
    ['every channel dropped', { version: 1, criterion: 'x', groups: [{ id: open.id, size: open.size, drop: Array.from({ length: open.size }, (_, i) => i) }] }],
    ['locked group', { version: 1, criterion: 'x', groups: [{ id: locked.id, size: locked.size, drop: [0] }] }],
    ['wrong size', { version: 1, criterion: 'x', groups: [{ id: open.id, size: open.size + 1, drop: [0] }] }],
    ['wrong version', { version: 2, criterion: 'x', groups: [] }],
    ['group twice', { version: 1, criterion: 'x', groups: [{ id: open.id, size: open.size, drop: [0] }, { id: open.id, size: open.size, drop: [1] }] }],
  ];
  for (const [label, plan] of cases) {
    assert.throws(() => applyPlan(bundle, groups, plan as PrunePlan), (e: unknown) => e instanceof EdgePruneError && e.code === 'INVALID_PLAN', label);
  }
});
