// Seeded prune plans and the zeroed-consumer reference of the central property (as in test/prune/property.test.ts).
import type { ChannelGroup, Member, ModelBundle, PrunePlan } from '../../src/core/types.ts';
import { createRng, hashSeed, pickIndices } from '../fixtures/random.ts';

/** A seeded plan dropping a random share (up to all but one) of every unlocked group's channels. */
export function drawPlan(groups: ChannelGroup[], seed: string): PrunePlan {
  const rng = createRng(hashSeed(seed));
  const entries: PrunePlan['groups'] = [];
  for (const g of groups) {
    if (g.locked) continue;
    const count = Math.min(g.size - 1, 1 + rng.int(Math.max(1, g.size - 1)));
    entries.push({ id: g.id, size: g.size, drop: pickIndices(rng, g.size, count) });
  }
  return { version: 1, criterion: 'random', groups: entries };
}

/** Indices a member's axis owns for the given group channels. */
function memberIndices(member: Member, channels: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < member.repeat; r++) for (const i of channels) out.push(r * member.stride + member.offset + i);
  return out;
}

/**
 * The unpruned bundle with every consumer-side member's dropped indices set to zero: the dropped
 * channels still exist but nothing reads them, the same function as removing them.
 */
export function zeroConsumers(bundle: ModelBundle, groups: ChannelGroup[], plan: PrunePlan): ModelBundle {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const weights = bundle.weights.map((w) => ({ ...w, shape: [...w.shape], data: new Float32Array(w.data) }));
  const byName = new Map(weights.map((w) => [w.name, w]));
  for (const entry of plan.groups) {
    for (const m of byId.get(entry.id)?.members ?? []) {
      const w = byName.get(m.weight);
      if (m.role !== 'consumer' || !w || entry.drop.length === 0) continue;
      const indices = new Set(memberIndices(m, entry.drop));
      const inner = w.shape.slice(m.axis + 1).reduce((a, b) => a * b, 1);
      const dim = w.shape[m.axis] as number;
      const outer = w.shape.slice(0, m.axis).reduce((a, b) => a * b, 1);
      for (let o = 0; o < outer; o++) for (const i of indices) for (let k = 0; k < inner; k++) w.data[(o * dim + i) * inner + k] = 0;
    }
  }
  return { topology: bundle.topology, weights, meta: bundle.meta };
}

/** Largest absolute difference of two equally long outputs. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`output lengths differ: ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}
