// The fast `global` search: scores normalized per group, one threshold found by bisection to meet the budgets.
import type { ChannelGroup, Graph, PrunePlan, Scores } from '../core/types.ts';
import { budgetsMet, type Budget, type ResourcePredictor, type Resources } from '../targets/budget.ts';
import { minimumKeep, planOf, type KeepState } from './keep-state.ts';
import { shrinkGraph } from './shrink-graph.ts';

/** Inputs of the global search. */
export interface GlobalSearchOptions {
  graph: Graph;
  groups: readonly ChannelGroup[];
  scores: Scores;
  budget: Budget;
  predict: ResourcePredictor;
  round?: number;
}

/** Keep state for a threshold: each group keeps channels whose normalized score ≥ t (rounded up to the rounding). */
function stateAt(options: GlobalSearchOptions, t: number): KeepState {
  const round = options.round ?? 8;
  const state: KeepState = new Map();
  for (const g of options.groups.filter((x) => !x.locked)) {
    const raw = options.scores.groups.find((s) => s.id === g.id)?.scores ?? new Array<number>(g.size).fill(0);
    const max = Math.max(...raw.map(Math.abs), 1e-30);
    const order = raw.map((s, i) => ({ s: s / max, i })).sort((a, b) => b.s - a.s || a.i - b.i);
    let keep = order.filter((x) => x.s >= t).length;
    const min = minimumKeep(g.size, round);
    if (round > 1 && g.size > round) keep = Math.ceil(keep / round) * round;
    keep = Math.min(g.size, Math.max(min, keep));
    state.set(g.id, order.slice(0, keep).map((x) => x.i).sort((a, b) => a - b));
  }
  return state;
}

/**
 * Find the smallest normalized-score threshold whose plan meets every budget (bisection, 40 steps).
 * Returns the plan, whether it meets the budgets, and its predicted figures.
 */
export function searchGlobal(options: GlobalSearchOptions): { plan: PrunePlan; met: boolean; predicted: Resources; threshold: number } {
  const predictAt = (t: number): { state: KeepState; predicted: Resources } => {
    const state = stateAt(options, t);
    return { state, predicted: options.predict(shrinkGraph(options.graph, options.groups, planOf(options.groups, state, options.scores.criterion))) };
  };
  const top = predictAt(1.0000001);
  if (!budgetsMet(top.predicted, options.budget)) {
    return { plan: planOf(options.groups, top.state, options.scores.criterion), met: false, predicted: top.predicted, threshold: 1 };
  }
  let lo = 0;
  let hi = 1.0000001;
  if (budgetsMet(predictAt(0).predicted, options.budget)) hi = 0;
  for (let i = 0; i < 40 && hi > 0; i++) {
    const mid = (lo + hi) / 2;
    if (budgetsMet(predictAt(mid).predicted, options.budget)) hi = mid;
    else lo = mid;
  }
  const best = predictAt(hi);
  return { plan: planOf(options.groups, best.state, options.scores.criterion), met: true, predicted: best.predicted, threshold: hi };
}
