// Central property (issue 2), as a check: pruning a keep-set equals zeroing the dropped channels where they are consumed.
import assert from 'node:assert/strict';
import type { ChannelGroup, Member, ModelBundle, PrunePlan } from '../../src/core/types.ts';
import { countCost } from '../../src/analyze/cost.ts';
import { buildGraph } from '../../src/analyze/graph.ts';
import { findGroups } from '../../src/analyze/groups.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { predict } from '../../src/runtime/layers-model.ts';
import { ensureFixture, fixtureInputShape, type FixtureName } from '../fixtures/build-fixtures.ts';
import { createRng, hashSeed, pickIndices, randomInput } from '../fixtures/random.ts';

/** Largest allowed absolute difference on the outputs (logits or probabilities). */
const TOLERANCE = 1e-5;

/** How a keep-set is drawn for each unlocked group. */
type Mode = 'random' | 'extreme' | 'sparse';
const MODES: Mode[] = ['random', 'extreme', 'sparse'];

/** A seeded plan over the unlocked groups: random drops, drop-all-but-one, or a few groups only. */
function drawPlan(groups: ChannelGroup[], mode: Mode, seed: number): PrunePlan {
  const rng = createRng(hashSeed(mode, seed));
  const entries: PrunePlan['groups'] = [];
  for (const g of groups) {
    if (g.locked) continue;
    let count: number;
    if (mode === 'random') count = rng.int(g.size); // 0 .. size-1 dropped
    else if (mode === 'extreme') count = g.size - 1; // one channel kept
    else count = rng.uniform() < 0.3 ? 1 + rng.int(Math.max(1, g.size - 1)) : 0;
    count = Math.min(count, g.size - 1);
    entries.push({ id: g.id, size: g.size, drop: pickIndices(rng, g.size, count) });
  }
  return { version: 1, criterion: 'random', groups: entries };
}

/** Element offsets of `indices` on `axis` of a tensor of `shape` (row-major). */
function forEachOnAxis(shape: number[], axis: number, indices: Set<number>, visit: (flat: number) => void): void {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const dim = shape[axis] as number;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  for (let o = 0; o < outer; o++)
    for (const i of indices) for (let k = 0; k < inner; k++) visit((o * dim + i) * inner + k);
}

/** Indices a member's axis owns for the given group channels. */
function memberIndices(member: Member, channels: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < member.repeat; r++) for (const i of channels) out.push(r * member.stride + member.offset + i);
  return out;
}

/**
 * The reference: the unpruned bundle with every consumer-side member's dropped indices set to zero.
 * The dropped channels still exist (their producer, BN, bias and activation are untouched, so they
 * may carry non-zero values), but nothing reads them any more: the same function as removing them.
 */
function zeroConsumers(bundle: ModelBundle, groups: ChannelGroup[], plan: PrunePlan): ModelBundle {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const weights = bundle.weights.map((w) => ({ ...w, shape: [...w.shape], data: new Float32Array(w.data) }));
  const byName = new Map(weights.map((w) => [w.name, w]));
  for (const entry of plan.groups) {
    const group = byId.get(entry.id) as ChannelGroup;
    for (const m of group.members) {
      if (m.role !== 'consumer' || entry.drop.length === 0) continue;
      const w = byName.get(m.weight);
      assert.ok(w, `consumer member ${m.layer}/${m.slot} names weight "${m.weight}" that the bundle lacks`);
      const indices = new Set(memberIndices(m, entry.drop));
      forEachOnAxis(w.shape, m.axis, indices, (flat) => {
        w.data[flat] = 0;
      });
    }
  }
  return { topology: bundle.topology, weights, meta: bundle.meta };
}

/** Largest absolute difference between two outputs, with the position of the worst one. */
function worstDifference(a: Float32Array, b: Float32Array): { diff: number; at: number } {
  assert.equal(a.length, b.length, 'output lengths differ');
  let diff = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (!(d <= diff)) {
      diff = d;
      at = i;
    }
  }
  return { diff, at };
}

/** Seeds per fixture: fewer for the two big networks (each forward pass loads ~1 s for VGG-16). */
const SEEDS: Record<FixtureName, number[]> = {
  vgg16: [1],
  resnet56: [1, 2],
  inception: [1, 2, 3],
  mobilenetv2: [1, 2, 3],
  'flatten-dense': [1, 2, 3, 4],
  'squeeze-excite': [1, 2, 3],
  chain: [1, 2, 3],
};

/**
 * Seeded plans (random, drop-all-but-one and sparse keep-sets; VGG-16 random only) on one fixture: the
 * pruned model's output equals the unpruned model's with the dropped channels zeroed at their consumers.
 */
export async function assertPrunedEqualsZeroed(name: FixtureName): Promise<void> {
  const bundle = await readBundle(await ensureFixture(name));
  const graph = buildGraph(bundle);
  const groups = findGroups(graph);
  assert.ok(groups.some((g) => !g.locked), 'at least one unlocked group');
  const shape = [2, ...fixtureInputShape(name)];
  const input = randomInput(shape, hashSeed(name));
  const original = await predict(bundle, input, shape);
  const before = countCost(graph, bundle);
  let changed = false;
  for (const seed of SEEDS[name]) {
    for (const mode of MODES) {
      if (name === 'vgg16' && mode !== 'random') continue;
      const plan = drawPlan(groups, mode, seed);
      const dropped = plan.groups.reduce((n, g) => n + g.drop.length, 0);
      if (dropped === 0) continue;
      const label = `${name} mode=${mode} seed=${seed}`;
      const pruned = applyPlan(bundle, groups, plan);
      const zeroed = zeroConsumers(bundle, groups, plan);
      const got = await predict(pruned, input, shape);
      const want = await predict(zeroed, input, shape);
      const { diff, at } = worstDifference(got, want);
      const planned = plan.groups.filter((g) => g.drop.length > 0).map((g) => `${g.id}:[${g.drop.join(',')}]`);
      assert.ok(diff <= TOLERANCE, `${label}: max |pruned - zeroed| = ${diff} at output ${at}; plan ${planned.join(' ')}`);
      if (worstDifference(want, original).diff > 1e-3) changed = true;
      const after = countCost(buildGraph(pruned), pruned);
      assert.ok(after.params < before.params, `${label}: parameters shrink`);
    }
  }
  assert.ok(changed, 'some keep-set changes the output (the comparison is not vacuous)');
}
