// The search stage: from a model, a target and budgets to a plan (NetAdapt, global or manual mode).
import { join } from 'node:path';
import type { ModelBundle, PrunePlan, Scores } from '../core/types.ts';
import { writeJsonAtomic } from '../core/atomic-write.ts';
import type { Logger } from '../core/logger.ts';
import type { Analysis } from '../analyze/analyze-model.ts';
import { scoreModel } from '../score/score-model.ts';
import { countMacs } from '../analyze/cost.ts';
import { shrinkGraph } from './shrink-graph.ts';
import { budgetsMet, resolveBudget, resourceBudget, type Budget, type Resources } from '../targets/budget.ts';
import { searchGlobal } from './global-search.ts';
import { DEFAULT_FLOORS, fidelityEvaluator, fidelityInputShape, seededInputs, type FidelityFloor, type FidelityMeasure } from './fidelity.ts';
import type { LoadedTarget } from '../targets/load-targets.ts';
import { searchNetAdapt } from './netadapt.ts';
import { predictOnTarget, resourcePredictor, type TargetPrediction } from '../latency/target-predictor.ts';
import { planFromRatios, type DropRatios } from './ratio-plan.ts';
import type { HistoryRound } from './history.ts';
import type { CandidateEvaluator } from './candidate-evaluator.ts';

import type { SearchMode } from './search-modes.ts';

export type { SearchMode };

/** Inputs of the search stage. */
export interface PlanSearchOptions {
  bundle: ModelBundle;
  analysis: Analysis;
  target: LoadedTarget;
  /** Budget overrides (else the target's defaults). */
  budget?: Budget;
  criterion?: string;
  mode?: SearchMode;
  /** Manual mode: drop ratios. */
  ratios?: DropRatios;
  /** The score stage's result for the unpruned model (scored here when absent). */
  scores?: Scores;
  /** Candidate quality (accuracy after BN re-estimation); default: output fidelity on seeded inputs. */
  evaluate?: (bundle: ModelBundle) => Promise<number>;
  /** Measures each round's candidates as one batch (e.g. on queue workers) instead of `evaluate` in this process. */
  evaluator?: CandidateEvaluator;
  /**
   * What `evaluate` measures: `accuracy` (labelled data: no fidelity floor), or a label-free measure
   * (`top-1 agreement` on images) held to the floor. Default: `accuracy` when `evaluate` is given.
   */
  measure?: FidelityMeasure | 'accuracy';
  /** Where `evaluate` measures (for messages), e.g. the image folder. */
  measuredOn?: string;
  /** The fidelity floor (default: `DEFAULT_FLOORS` of the measure). */
  minAgreement?: number;
  /** Search past the fidelity floor. */
  force?: boolean;
  seed?: number;
  /** Folder for plan.json and history.jsonl. */
  outDir?: string;
  resume?: boolean;
  logger?: Logger;
}

/** What the search stage returns (and `plan --json` prints, with the plan file's path). */
export interface PlanSearchResult {
  plan: PrunePlan;
  met: boolean;
  budget: Budget;
  original: Resources;
  predicted: Resources;
  macs: { before: number; after: number };
  /** The target's full predictions (per-layer latency, memory, size) for the original graph and the planned one. */
  predictions: { before: TargetPrediction; after: TargetPrediction };
  rounds: HistoryRound[];
  reason?: string;
  /** The label-free measure the search compared candidates by, or `accuracy`. */
  measure: FidelityMeasure | 'accuracy';
  /** The floor the search held (none with labels or `force`). */
  floor?: FidelityFloor;
  /** Set when the floor stopped the search short of the budgets. */
  floorStop?: { floor: FidelityFloor; kept: number; rejected: number };
  /** Set when no plan can meet the budgets: the smallest model's predicted resources. */
  smallest?: Resources;
}

/** Run the search stage; writes plan.json (and the history) into `outDir` when given. */
export async function planSearch(options: PlanSearchOptions): Promise<PlanSearchResult> {
  const { bundle, analysis, target } = options;
  const criterion = options.criterion ?? 'fscl';
  const seed = options.seed ?? 0;
  const resolved = resolveBudget(target.target.budget, options.budget);
  const budget: Budget = resourceBudget(resolved);
  const predict = resourcePredictor(target);
  const before = predictOnTarget(analysis.graph, target, resolved);
  const original = before.resources;
  const round = target.target.channelRounding;
  const mode = options.mode ?? 'netadapt';
  let result: Omit<PlanSearchResult, 'macs' | 'budget' | 'original' | 'predictions' | 'measure' | 'floor'>;
  const measure = options.measure ?? (options.evaluate ? 'accuracy' : 'logit cosine');
  const floor: FidelityFloor | undefined = measure === 'accuracy' || options.force
    ? undefined
    : { measure, value: options.minAgreement ?? DEFAULT_FLOORS[measure], on: options.measuredOn ?? 'seeded noise inputs' };
  const initialScores = (): Scores => options.scores ?? scoreModel(criterion, { bundle, graph: analysis.graph, groups: analysis.groups, seed });
  if (mode === 'manual') {
    const scores = initialScores();
    const plan = planFromRatios(analysis.groups, scores, options.ratios ?? 0, round);
    const predicted = predict(shrinkGraph(analysis.graph, analysis.groups, plan));
    result = { plan, met: budgetsMet(predicted, budget), predicted, rounds: [] };
  } else if (mode === 'global') {
    const scores = initialScores();
    const g = searchGlobal({ graph: analysis.graph, groups: analysis.groups, scores, budget, predict, round });
    result = { plan: g.plan, met: g.met, predicted: g.predicted, rounds: [], ...(g.met ? {} : { reason: 'even the highest threshold does not meet the budgets' }) };
  } else {
    const shape = fidelityInputShape(analysis.graph);
    const evaluate = options.evaluate ?? (options.evaluator ? undefined : await fidelityEvaluator(bundle, seededInputs(shape, seed), shape));
    result = await searchNetAdapt({
      bundle, graph: analysis.graph, groups: analysis.groups, criterion, budget, predict, round, seed,
      ...(evaluate ? { evaluate } : {}), ...(options.evaluator ? { evaluator: options.evaluator } : {}),
      ...(options.scores ? { scores: options.scores } : {}),
      ...(options.outDir ? { historyPath: join(options.outDir, 'history.jsonl') } : {}),
      ...(options.resume ? { resume: true } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(floor ? { floor } : {}),
    });
  }
  if (options.outDir) await writeJsonAtomic(join(options.outDir, 'plan.json'), result.plan);
  const planned = shrinkGraph(analysis.graph, analysis.groups, result.plan);
  const predictions = { before, after: predictOnTarget(planned, target, resolved) };
  return { ...result, budget, original, predictions, macs: { before: analysis.cost.macs, after: countMacs(planned) }, measure, ...(floor ? { floor } : {}) };
}
