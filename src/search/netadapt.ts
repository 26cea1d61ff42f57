// The default budget search, after NetAdapt: each round cuts the most-over resource by a shrinking step,
// trying one candidate per group (its lowest-FSCL channels) and keeping the one that loses least quality.
import type { ChannelGroup, Graph, ModelBundle, PrunePlan, Scores } from '../core/types.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { fail } from '../core/errors.ts';
import { analyzeModel } from '../analyze/analyze-model.ts';
import { applyPlan } from '../prune/apply-plan.ts';
import { scoreModel } from '../score/score-model.ts';
import { lowestIndices } from './ratio-plan.ts';
import { budgetsMet, worstResource, type Budget, type Resource, type ResourcePredictor, type Resources } from '../targets/budget.ts';
import { appendRound, readHistory, rewriteHistory, type HistoryRound } from './history.ts';
import { allowedKeeps, fullKeepState, minimumKeep, planOf, type KeepState } from './keep-state.ts';
import { shrinkGraph } from './shrink-graph.ts';
import type { FidelityFloor } from './fidelity.ts';
import { inProcessEvaluator, type CandidateEvaluator } from './candidate-evaluator.ts';

/** Everything the search needs. */
export interface SearchOptions {
  bundle: ModelBundle;
  graph: Graph;
  groups: readonly ChannelGroup[];
  criterion: string;
  budget: Budget;
  predict: ResourcePredictor;
  /** Quality of a pruned candidate (accuracy after BN re-estimation, or output fidelity); higher is better. */
  evaluate?: (bundle: ModelBundle) => Promise<number>;
  /** Measures a round's candidates as one batch (e.g. on queue workers); default: `evaluate` in this process. */
  evaluator?: CandidateEvaluator;
  /** The unpruned model's scores (from the score stage), used while nothing is pruned yet. */
  scores?: Scores;
  /** Kept channel counts are multiples of this (default 8). */
  round?: number;
  /** First step as a fraction of the original resource (default 0.05). */
  stepFraction?: number;
  /** Step multiplier per round (default 0.97). */
  decay?: number;
  maxRounds?: number;
  seed?: number;
  /** Append-only history file (one line per round). */
  historyPath?: string;
  /** Continue from the rounds already in the history file. */
  resume?: boolean;
  /** Stop before taking a candidate whose quality falls below this floor (label-free search only). */
  floor?: FidelityFloor;
  logger?: Logger;
}

/** The search's outcome: the plan, whether every budget holds, and the predicted figures. */
export interface SearchResult {
  plan: PrunePlan;
  met: boolean;
  original: Resources;
  predicted: Resources;
  rounds: HistoryRound[];
  /** Why the search stopped short, when `met` is false. */
  reason?: string;
  /** Set when the fidelity floor stopped the search: the floor, the kept plan's quality and the best rejected candidate's. */
  floorStop?: { floor: FidelityFloor; kept: number; rejected: number };
  /** Set when no plan can meet the budgets: the smallest model's predicted resources (every group at its minimum). */
  smallest?: Resources;
}

/** One candidate of a round. */
interface Candidate {
  group: string;
  keep: number[];
  predicted: Resources;
  quality: number;
}

/** Predicted resources of a keep state. */
function predictState(options: SearchOptions, state: KeepState): Resources {
  return options.predict(shrinkGraph(options.graph, options.groups, planOf(options.groups, state, options.criterion)));
}

/** In-context scores: the current pruned model's scores mapped to original channel indices per group. */
function contextScores(options: SearchOptions, state: KeepState): Map<string, number[]> {
  const untouched = options.groups.every((g) => g.locked || (state.get(g.id)?.length ?? g.size) === g.size);
  if (untouched && options.scores) return new Map(options.scores.groups.map((g) => [g.id, g.scores]));
  const plan = planOf(options.groups, state, options.criterion);
  const pruned = applyPlan(options.bundle, options.groups, plan);
  const analysis = analyzeModel(pruned, { lockUnknown: true });
  const scores = scoreModel(options.criterion, { bundle: pruned, graph: analysis.graph, groups: analysis.groups, seed: options.seed ?? 0 });
  return new Map(scores.groups.map((g) => [g.id, g.scores]));
}

/** The largest allowed kept count of a group that brings `resource` to `target` (binary search), if any. */
function fewestDrops(options: SearchOptions, state: KeepState, id: string, resource: Resource, target: number): { keep: number; predicted: Resources } | undefined {
  const current = state.get(id) as number[];
  const keeps = allowedKeeps(current.length, options.round ?? 8);
  const at = (k: number): Resources => predictState(options, new Map(state).set(id, current.slice(0, k)));
  let lo = 0;
  let hi = keeps.length - 1;
  if (hi < 0 || at(keeps[hi] as number)[resource] > target) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at(keeps[mid] as number)[resource] <= target) hi = mid;
    else lo = mid + 1;
  }
  const keep = keeps[lo] as number;
  return { keep, predicted: at(keep) };
}

/** One candidate per group that reaches `target`: its lowest in-context-scored channels dropped; the round's plans are then evaluated as one batch. */
async function roundCandidates(
  options: SearchOptions,
  state: KeepState,
  scores: Map<string, number[]>,
  resource: Resource,
  target: number,
  n: number,
  logger: Logger,
): Promise<Candidate[]> {
  const found: Omit<Candidate, 'quality'>[] = [];
  const plans: PrunePlan[] = [];
  for (const [id, current] of state) {
    const reach = fewestDrops(options, state, id, resource, target);
    if (!reach) continue;
    const inContext = scores.get(id) ?? current.map(() => 0);
    const dropLocal = new Set(lowestIndices(inContext, current.length - reach.keep));
    const keep = current.filter((_, j) => !dropLocal.has(j));
    found.push({ group: id, keep, predicted: reach.predicted });
    plans.push(planOf(options.groups, new Map(state).set(id, keep), options.criterion));
  }
  const progress = (done: number): void => logger.progress({ task: `search round ${n + 1}`, done, total: plans.length, detail: `${resource} → ${target.toFixed(2)}` });
  const qualities = plans.length > 0 ? await evaluatorOf(options).evaluatePlans(plans, progress) : [];
  return found.map((c, i) => ({ ...c, quality: qualities[i] as number }));
}

/** The search's candidate evaluator: the given one, else `evaluate` in this process. */
function evaluatorOf(options: SearchOptions): CandidateEvaluator {
  if (options.evaluator) return options.evaluator;
  if (!options.evaluate) fail('INVALID_ARGUMENT', { expected: 'an `evaluate` function or an `evaluator`', found: 'neither', where: 'searchNetAdapt options', hint: 'pass how candidates are measured' });
  return inProcessEvaluator(options.bundle, options.groups, options.evaluate);
}

/** Restore state and step from a history file. */
async function restore(options: SearchOptions, state: KeepState): Promise<{ rounds: HistoryRound[] }> {
  if (!options.resume || !options.historyPath) return { rounds: [] };
  const rounds = await readHistory(options.historyPath);
  for (const r of rounds) {
    const group = options.groups.find((g) => g.id === r.group);
    if (!group) continue;
    const drop = new Set(r.drop);
    state.set(r.group, Array.from({ length: group.size }, (_, i) => i).filter((i) => !drop.has(i)));
  }
  await rewriteHistory(options.historyPath, rounds);
  return { rounds };
}

/**
 * Search for a plan that meets every budget. Deterministic for a given seed and evaluator. When no
 * plan can meet the budgets, returns the best plan found with `met: false` and the reason.
 */
export async function searchNetAdapt(options: SearchOptions): Promise<SearchResult> {
  const logger = options.logger ?? silentLogger;
  const round = options.round ?? 8;
  const state = fullKeepState(options.groups);
  const original = options.predict(options.graph);
  const { rounds } = await restore(options, state);
  const floor = new Map([...state.keys()].map((id) => [id, Array.from({ length: minimumKeep(options.groups.find((g) => g.id === id)?.size ?? 1, round) }, (_, i) => i)]));
  const smallest = predictState(options, floor);
  const result = (met: boolean, reason?: string): SearchResult => ({
    plan: planOf(options.groups, state, options.criterion),
    met,
    original,
    predicted: predictState(options, state),
    rounds,
    ...(reason ? { reason } : {}),
  });
  if (!budgetsMet(smallest, options.budget)) {
    const r = worstResource(smallest, options.budget) as Resource;
    return { ...result(false, `even the smallest model (every group at its minimum) predicts ${r} ${smallest[r].toFixed(2)} over the budget ${options.budget[r]}`), smallest };
  }
  const decay = options.decay ?? 0.97;
  for (let n = rounds.length; n < (options.maxRounds ?? 500); n++) {
    const predicted = predictState(options, state);
    const resource = worstResource(predicted, options.budget);
    if (!resource) return result(true);
    const scores = contextScores(options, state);
    // The step is a function of the round number alone, so a resumed search repeats the same rounds.
    let step = Math.max((options.stepFraction ?? 0.05) * original[resource] * decay ** n, 1e-3 * original[resource]);
    let candidates: Candidate[] = [];
    let target = 0;
    while (candidates.length === 0) {
      target = Math.max(predicted[resource] - step, options.budget[resource] as number);
      candidates = await roundCandidates(options, state, scores, resource, target, n, logger);
      if (candidates.length > 0 || step <= 2e-3 * original[resource]) break;
      step /= 2;
    }
    if (candidates.length === 0) return result(false, `no group can cut ${resource} further at channel rounding ${round}`);
    candidates.sort((a, b) => b.quality - a.quality || a.predicted[resource] - b.predicted[resource] || a.group.localeCompare(b.group));
    const best = candidates[0] as Candidate;
    if (options.floor && best.quality < options.floor.value) {
      const kept = rounds[rounds.length - 1]?.quality ?? 1;
      const { measure, value, on } = options.floor;
      return {
        ...result(false, `the next cut would bring ${measure} with the unpruned model (on ${on}) to ${best.quality.toFixed(3)}, below the floor ${value}`),
        floorStop: { floor: options.floor, kept, rejected: best.quality },
      };
    }
    state.set(best.group, best.keep);
    const group = options.groups.find((g) => g.id === best.group) as ChannelGroup;
    const kept = new Set(best.keep);
    const entry: HistoryRound = {
      round: n + 1, resource, target, group: best.group, keep: best.keep.length,
      drop: Array.from({ length: group.size }, (_, i) => i).filter((i) => !kept.has(i)),
      predicted: best.predicted, quality: best.quality, step,
      candidates: candidates.map((c) => ({ group: c.group, keep: c.keep.length, latencyMs: c.predicted.latencyMs, quality: c.quality })),
    };
    rounds.push(entry);
    if (options.historyPath) await appendRound(options.historyPath, entry);
    logger.info(`round ${n + 1}: ${best.group} keeps ${best.keep.length}/${group.size}, ${resource} ${best.predicted[resource].toFixed(2)}, quality ${best.quality.toFixed(4)}`);
  }
  return result(budgetsMet(predictState(options, state), options.budget), 'stopped at the round limit');
}
