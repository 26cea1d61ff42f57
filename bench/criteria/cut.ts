// The one set of drop ratios per MACs cut: a uniform drop ratio over prunable groups, found by bisection on countMacs.
import type { Analysis } from '../../src/analyze/analyze-model.ts';
import { countMacs } from '../../src/analyze/cost.ts';
import type { PrunePlan, Scores } from '../../src/core/types.ts';
import { planFromRatios } from '../../src/search/ratio-plan.ts';
import { shrinkGraph } from '../../src/search/shrink-graph.ts';

/** The ratio found for a cut and what it realizes. */
export interface UniformCut {
  ratio: number;
  /** Realized 1 − MACs(pruned) / MACs(unpruned). */
  macsReduction: number;
}

/** Zero scores for every prunable group: the channel choice does not matter when only counting MACs. */
function zeroScores(analysis: Analysis): Scores {
  return { criterion: 'none', groups: analysis.groups.filter((g) => !g.locked).map((g) => ({ id: g.id, scores: new Array<number>(g.size).fill(0) })) };
}

/** MACs of the model a plan would produce. */
export function macsOfPlan(analysis: Analysis, plan: PrunePlan): number {
  return countMacs(shrinkGraph(analysis.graph, analysis.groups, plan));
}

/**
 * The uniform drop ratio r (every prunable group drops about size·r channels, kept counts rounded to
 * multiples of `round` as prune's dropCount does) whose pruned graph comes closest to cutting `cut` of the MACs: bisection for the smallest r that
 * reaches the cut, then the nearer of it and the step below. Criteria only choose which channels;
 * the counts, and so the MACs, are the same for all of them.
 */
export function findUniformRatio(analysis: Analysis, cut: number, round = 1): UniformCut {
  const base = analysis.cost.macs;
  const scores = zeroScores(analysis);
  const reduction = (r: number): number => 1 - macsOfPlan(analysis, planFromRatios(analysis.groups, scores, r, round)) / base;
  let lo = 0;
  let hi = 0.99;
  if (reduction(hi) < cut) return { ratio: hi, macsReduction: reduction(hi) };
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (reduction(mid) >= cut) hi = mid;
    else lo = mid;
  }
  const [above, below] = [reduction(hi), reduction(lo)];
  return Math.abs(above - cut) <= Math.abs(cut - below) ? { ratio: hi, macsReduction: above } : { ratio: lo, macsReduction: below };
}

/** Kept / total channels of every prunable group under a plan, e.g. `{ "conv2d_1": "22/32" }`. */
export function describeChannels(analysis: Analysis, plan: PrunePlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const g of plan.groups) out[g.id] = `${g.size - g.drop.length}/${g.size}`;
  for (const g of analysis.groups) if (!g.locked && !(g.id in out)) out[g.id] = `${g.size}/${g.size}`;
  return out;
}
