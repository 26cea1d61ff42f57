// The search stage: from a model, a target and budgets to a plan (NetAdapt, global or manual mode).
import { join } from 'node:path';
import type { Graph, ModelBundle, PlanEncoding, PrunePlan, Scores } from '../core/types.ts';
import { writeJsonAtomic } from '../core/atomic-write.ts';
import type { Logger } from '../core/logger.ts';
import type { Analysis } from '../analyze/analyze-model.ts';
import { scoreModel } from '../score/score-model.ts';
import { countMacs } from '../analyze/cost.ts';
import { shrinkGraph } from './shrink-graph.ts';
import { budgetsMet, resolveBudget, resourceBudget, type Budget, type ResourcePredictor, type Resources } from '../targets/budget.ts';
import { searchGlobal } from './global-search.ts';
import { DEFAULT_FLOORS, fidelityEvaluator, fidelityInputShape, seededInputs, type FidelityFloor, type FidelityMeasure } from './fidelity.ts';
import type { LoadedTarget } from '../targets/load-targets.ts';
import { searchNetAdapt } from './netadapt.ts';
import { predictOnTarget, resourcePredictor, type TargetPrediction } from '../latency/target-predictor.ts';
import { planFromRatios, type DropRatios } from './ratio-plan.ts';
import type { HistoryRound } from './history.ts';
import { inProcessEvaluator, type CandidateEvaluator } from './candidate-evaluator.ts';
import { encodingChoices } from '../latency/encodings.ts';
import { attributeBudgets, encodingCheck, firstEncodingMeeting, mostCompact, planEncodingOf, withPlanEncoding, type EncodingDecision } from './encoding-choice.ts';

import type { SearchMode } from './search-modes.ts';

export type { SearchMode };

/** Inputs of the search stage. */
export interface PlanSearchOptions {
  bundle: ModelBundle;
  analysis: Analysis;
  target: LoadedTarget;
  /** Budget overrides (else the target's defaults); `maxAccuracyDrop` bounds what a lossy encoding may cost on labelled data. */
  budget?: Budget & { maxAccuracyDrop?: number };
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
  /** A fixed encoding (`--weights`): the search does not choose one. Default: the search chooses among the target's. */
  weights?: PlanEncoding;
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
  /** The plan's encoding, why, and which budget pruning met and which the encoding met. */
  encoding: EncodingDecision;
}

/** A channel search's outcome (before the encoding and the shared figures are added). */
type ChannelResult = Omit<PlanSearchResult, 'macs' | 'budget' | 'original' | 'predictions' | 'measure' | 'floor' | 'encoding'>;

/** Run the search stage; writes plan.json (and the history) into `outDir` when given. */
export async function planSearch(options: PlanSearchOptions): Promise<PlanSearchResult> {
  const { bundle, analysis, target } = options;
  const criterion = options.criterion ?? 'fscl';
  const seed = options.seed ?? 0;
  const resolved = resolveBudget(target.target.budget, options.budget);
  const budget: Budget = resourceBudget(resolved);
  const source = options.weights ?? planEncodingOf(bundle);
  const choices = options.weights ? [options.weights] : encodingChoices(target, source);
  const predictIn = (e: PlanEncoding): ResourcePredictor => resourcePredictor(target, e);
  const before = predictOnTarget(analysis.graph, target, resolved, source);
  const original = before.resources;
  const round = target.target.channelRounding;
  const mode = options.mode ?? 'netadapt';
  const measure = options.measure ?? (options.evaluate ? 'accuracy' : 'logit cosine');
  const floor: FidelityFloor | undefined = measure === 'accuracy' || options.force
    ? undefined
    : { measure, value: options.minAgreement ?? DEFAULT_FLOORS[measure], on: options.measuredOn ?? 'seeded noise inputs' };
  let scores: Scores | undefined = options.scores;
  const initialScores = (): Scores => (scores ??= scoreModel(criterion, { bundle, graph: analysis.graph, groups: analysis.groups, seed }));
  let evaluate = options.evaluate;
  const searchChannels = async (b: Budget, predict: ResourcePredictor, history: string): Promise<ChannelResult> => {
    if (mode === 'manual') {
      const plan = planFromRatios(analysis.groups, initialScores(), options.ratios ?? 0, round);
      const predicted = predict(shrinkGraph(analysis.graph, analysis.groups, plan));
      return { plan, met: budgetsMet(predicted, b), predicted, rounds: [] };
    }
    if (mode === 'global') {
      const g = searchGlobal({ graph: analysis.graph, groups: analysis.groups, scores: initialScores(), budget: b, predict, round });
      return { plan: g.plan, met: g.met, predicted: g.predicted, rounds: [], ...(g.met ? {} : { reason: 'even the highest threshold does not meet the budgets' }) };
    }
    const shape = fidelityInputShape(analysis.graph);
    evaluate ??= options.evaluator ? undefined : await fidelityEvaluator(bundle, seededInputs(shape, seed), shape);
    return searchNetAdapt({
      bundle, graph: analysis.graph, groups: analysis.groups, criterion, budget: b, predict, round, seed,
      ...(evaluate ? { evaluate } : {}), ...(options.evaluator ? { evaluator: options.evaluator } : {}),
      ...(options.scores ? { scores: options.scores } : {}),
      ...(options.outDir ? { historyPath: join(options.outDir, history) } : {}),
      ...(options.resume ? { resume: true } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(floor ? { floor } : {}),
    });
  };
  const rejected: EncodingDecision['rejected'] = [];
  let check: EncodingDecision['check'];
  // A lossy encoding is measured by the search's own evaluator (queue workers with --queue), so both give the same choice.
  const candidates = options.evaluator ?? (options.evaluate ? inProcessEvaluator(bundle, analysis.groups, options.evaluate) : undefined);
  const checkerFor = (plan: PrunePlan): ((e: PlanEncoding) => Promise<string | undefined>) | undefined =>
    candidates && (measure === 'accuracy' || measure === 'top-1 agreement') && resolved.maxAccuracyDrop !== undefined
      ? encodingCheck(plan, (plans) => candidates.evaluatePlans(plans), resolved.maxAccuracyDrop, source, measure, (c) => (check = c))
      : undefined;
  const planned = (plan: PrunePlan): Graph => shrinkGraph(analysis.graph, analysis.groups, plan);
  let result: ChannelResult;
  let chosen = source;
  if (choices.length === 1 || budget.modelSizeMb === undefined) {
    result = await searchChannels(budget, predictIn(source), 'history.jsonl');
  } else {
    // Prune for latency and memory alone, then take the least lossy encoding that meets every budget.
    const first = await searchChannels({ ...budget, modelSizeMb: undefined }, predictIn(source), 'history.jsonl');
    const graph = planned(first.plan);
    const pick = await firstEncodingMeeting(choices, budget, (e) => predictIn(e)(graph), checkerFor(first.plan));
    rejected.push(...pick.rejected);
    if (pick.encoding) {
      chosen = pick.encoding;
      result = { ...first, met: true, predicted: predictIn(chosen)(graph) };
    } else if (!first.met) {
      // Latency or memory is out of reach: keep the best plan, in the least lossy encoding that meets the size budget if one does.
      const sized = await firstEncodingMeeting(choices, { modelSizeMb: budget.modelSizeMb }, (e) => predictIn(e)(graph), checkerFor(first.plan));
      chosen = sized.encoding ?? source;
      result = { ...first, predicted: predictIn(chosen)(graph) };
    } else {
      // No encoding suffices: prune further in the most compact encoding the check allowed.
      const failedCheck = new Set(pick.rejected.filter((r) => !r.reason.startsWith('predicted')).map((r) => r.encoding));
      chosen = mostCompact(choices.filter((e) => !failedCheck.has(e))) ?? source;
      result = await searchChannels(budget, predictIn(chosen), chosen === source ? 'history.jsonl' : `history-${chosen}.jsonl`);
      const again = chosen === source ? undefined : await checkerFor(result.plan)?.(chosen);
      if (again) {
        rejected.push({ encoding: chosen, reason: again });
        chosen = source;
        result = await searchChannels(budget, predictIn(source), 'history.jsonl');
      }
    }
  }
  const plan = withPlanEncoding(result.plan, chosen, source);
  if (options.outDir) await writeJsonAtomic(join(options.outDir, 'plan.json'), plan);
  const graph = planned(plan);
  const predictions = { before, after: predictOnTarget(graph, target, resolved, chosen) };
  const metBy = attributeBudgets(budget, { original, prunedAtSource: predictIn(source)(graph), originalAtChosen: predictIn(chosen)(analysis.graph), final: predictions.after.resources });
  const encoding: EncodingDecision = { source, chosen, choices, chosenBy: options.weights ? 'option' : 'search', metBy, rejected, ...(check ? { check } : {}) };
  return { ...result, plan, budget, original, predictions, macs: { before: analysis.cost.macs, after: countMacs(graph) }, measure, ...(floor ? { floor } : {}), encoding };
}
