// Baseline criteria for comparison (DESIGN.md §4): l1, l2, fpgm, bn-scale and seeded random.
import type { ChannelGroup, Member, WeightEntry } from '../core/types.ts';
import { createRandom, hashString } from '../core/random.ts';
import { channelVector } from './channel-slices.ts';
import { isKernelMember, type Criterion, type ScoreContext } from './criterion.ts';

/** Producer kernel members of a group. */
const producerKernels = (group: ChannelGroup): Member[] => group.members.filter((m) => m.role === 'producer' && isKernelMember(m.slot));

/** Sum a per-filter statistic over the group's producer kernels. */
function sumOverProducers(group: ChannelGroup, weights: Map<string, WeightEntry>, stat: (v: Float64Array) => number): Float64Array {
  const scores = new Float64Array(group.size);
  for (const m of producerKernels(group)) {
    const w = weights.get(m.weight) as WeightEntry;
    for (let i = 0; i < group.size; i++) scores[i] = (scores[i] as number) + stat(channelVector(m, w, i));
  }
  return scores;
}

/** l1: sum of |w| of the producer filters. */
export const l1: Criterion = {
  name: 'l1',
  description: 'sum of absolute producer filter weights (Li et al. 2017)',
  scoreGroup: (group, _context, weights) => sumOverProducers(group, weights, (v) => v.reduce((s, x) => s + Math.abs(x), 0)),
};

/** l2: Euclidean norm of the producer filters. */
export const l2: Criterion = {
  name: 'l2',
  description: 'Euclidean norm of producer filter weights',
  scoreGroup: (group, _context, weights) => {
    const sq = sumOverProducers(group, weights, (v) => v.reduce((s, x) => s + x * x, 0));
    return sq.map(Math.sqrt);
  },
};

/** fpgm: sum of distances to the other filters of the layer; filters near the geometric median go first. */
export const fpgm: Criterion = {
  name: 'fpgm',
  description: 'filter pruning via geometric median: sum of distances to the layer\'s other filters (He et al. 2019)',
  scoreGroup: (group, _context, weights) => {
    const scores = new Float64Array(group.size);
    for (const m of producerKernels(group)) {
      const w = weights.get(m.weight) as WeightEntry;
      const filters = Array.from({ length: group.size }, (_, i) => channelVector(m, w, i));
      const norms = filters.map((f) => f.reduce((s, x) => s + x * x, 0));
      for (let i = 0; i < group.size; i++) {
        const fi = filters[i] as Float64Array;
        for (let j = i + 1; j < group.size; j++) {
          const fj = filters[j] as Float64Array;
          let dot = 0;
          for (let k = 0; k < fi.length; k++) dot += (fi[k] as number) * (fj[k] as number);
          const d = Math.sqrt(Math.max(0, (norms[i] as number) + (norms[j] as number) - 2 * dot));
          scores[i] = (scores[i] as number) + d;
          scores[j] = (scores[j] as number) + d;
        }
      }
    }
    return scores;
  },
};

/** bn-scale: |γ| of the group's BatchNormalization layers (network slimming); l1 when the group has none. */
export const bnScale: Criterion = {
  name: 'bn-scale',
  description: 'absolute BatchNormalization scale |γ| (network slimming); l1 for groups without BN',
  scoreGroup: (group, context, weights) => {
    const gammas = group.members.filter((m) => m.role === 'pass' && m.slot === 'gamma');
    if (gammas.length === 0) return l1.scoreGroup(group, context, weights);
    const scores = new Float64Array(group.size);
    for (const m of gammas) {
      const w = weights.get(m.weight) as WeightEntry;
      for (let i = 0; i < group.size; i++) scores[i] = (scores[i] as number) + channelVector(m, w, i).reduce((s, x) => s + Math.abs(x), 0);
    }
    return scores;
  },
};

/** random: seeded uniform scores, a per-group stream derived from the seed and the group id. */
export const random: Criterion = {
  name: 'random',
  description: 'seeded random ranking (control)',
  scoreGroup: (group: ChannelGroup, context: ScoreContext) => {
    const next = createRandom((context.seed ^ hashString(group.id)) >>> 0);
    return Float64Array.from({ length: group.size }, () => next());
  },
};
