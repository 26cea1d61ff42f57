// Shared checks of the graph-model and Keras import tests: parity within 1e-4 · max(1, max |reference|), channel groups, and the central prune property.
import assert from 'node:assert/strict';
import type { ChannelGroup, ModelBundle, PrunePlan } from '../../src/core/types.ts';
import { countCost } from '../../src/analyze/cost.ts';
import { buildGraph } from '../../src/analyze/graph.ts';
import { findGroups } from '../../src/analyze/groups.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { predict } from '../../src/runtime/layers-model.ts';
import { createRng, pickIndices } from '../fixtures/random.ts';

/** Relative parity tolerance of imports (issue 17). */
export const PARITY = 1e-4;

/** Largest |a − b| over every output, and the largest |reference|. */
export function compareOutputs(got: readonly Float32Array[], want: readonly ArrayLike<number>[]): { maxDiff: number; refMax: number } {
  assert.equal(got.length, want.length, 'output counts differ');
  let maxDiff = 0;
  let refMax = 0;
  want.forEach((w, k) => {
    const g = got[k] as Float32Array;
    assert.equal(g.length, w.length, `output ${k}: lengths differ`);
    for (let i = 0; i < w.length; i++) {
      const d = Math.abs((g[i] as number) - (w[i] as number));
      if (!(d <= maxDiff)) maxDiff = d;
      refMax = Math.max(refMax, Math.abs(w[i] as number));
    }
  });
  return { maxDiff, refMax };
}

/** Assert parity within 1e-4 · max(1, max |reference|); returns the figures for the record. */
export function assertParity(got: readonly Float32Array[], want: readonly ArrayLike<number>[], label: string): { maxDiff: number; refMax: number } {
  const r = compareOutputs(got, want);
  assert.ok(r.refMax > 1e-3, `${label}: reference outputs are not all ~0 (the comparison is not vacuous)`);
  assert.ok(r.maxDiff <= PARITY * Math.max(1, r.refMax), `${label}: max |imported − reference| = ${r.maxDiff} > ${PARITY} · max(1, ${r.refMax})`);
  return r;
}

/** Sizes of the unlocked channel groups, sorted. */
export function unlockedGroupSizes(bundle: ModelBundle): number[] {
  return findGroups(buildGraph(bundle)).filter((g) => !g.locked).map((g) => g.size).sort((a, b) => a - b);
}

/** The bundle with each consumer member's dropped indices set to zero. */
function zeroConsumers(bundle: ModelBundle, groups: ChannelGroup[], plan: PrunePlan): ModelBundle {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const weights = bundle.weights.map((w) => ({ ...w, shape: [...w.shape], data: new Float32Array(w.data) }));
  const byName = new Map(weights.map((w) => [w.name, w]));
  for (const entry of plan.groups) {
    for (const m of (byId.get(entry.id) as ChannelGroup).members) {
      if (m.role !== 'consumer') continue;
      const w = byName.get(m.weight);
      assert.ok(w, `consumer weight ${m.weight} exists`);
      const inner = w.shape.slice(m.axis + 1).reduce((a, b) => a * b, 1);
      const dim = w.shape[m.axis] as number;
      const outer = w.shape.slice(0, m.axis).reduce((a, b) => a * b, 1);
      for (let r = 0; r < m.repeat; r++) {
        for (const i of entry.drop) {
          const idx = r * m.stride + m.offset + i;
          for (let o = 0; o < outer; o++) for (let k = 0; k < inner; k++) w.data[(o * dim + idx) * inner + k] = 0;
        }
      }
    }
  }
  return { topology: bundle.topology, weights, meta: bundle.meta };
}

/**
 * The central property on an imported bundle: a random plan's pruned model equals the unpruned
 * model with the dropped channels zeroed at their consumers, parameters shrink, and the zeroing
 * changes the output (so the comparison is not vacuous).
 */
export async function assertPruneProperty(bundle: ModelBundle, input: Float32Array, shape: number[], seed: number): Promise<void> {
  const graph = buildGraph(bundle);
  const groups = findGroups(graph);
  const rng = createRng(seed);
  const plan: PrunePlan = {
    version: 1,
    criterion: 'random',
    groups: groups.filter((g) => !g.locked && g.size > 1).map((g) => ({ id: g.id, size: g.size, drop: pickIndices(rng, g.size, Math.max(1, Math.floor(g.size / 2))) })),
  };
  assert.ok(plan.groups.length > 0, 'the imported model has prunable groups');
  const original = await predict(bundle, input, shape);
  const pruned = await predict(applyPlan(bundle, groups, plan), input, shape);
  const zeroed = await predict(zeroConsumers(bundle, groups, plan), input, shape);
  assert.ok(compareOutputs([pruned], [zeroed]).maxDiff <= 1e-5, 'pruned equals zeroed-at-consumers');
  assert.ok(compareOutputs([zeroed], [original]).maxDiff > 1e-4, 'dropping channels changes the output');
  assert.ok(countCost(buildGraph(applyPlan(bundle, groups, plan)), applyPlan(bundle, groups, plan)).params < countCost(graph, bundle).params, 'parameters shrink');
}
