// The main flow's honesty checks: budget sanity before the search, and the fidelity floor's verdict after it.
import { fail } from './core/errors.ts';
import type { TargetPrediction } from './latency/target-predictor.ts';
import type { PlanSearchResult } from './search/plan-search.ts';
import type { ResolvedBudget } from './targets/budget.ts';

/** A latency speed-up above this, asked of pruning alone, is called out before the search. */
export const PLAUSIBLE_SPEEDUP = 3;

/** What the budget asks of the unpruned model, predicted on the target as deployed and as a Layers model. */
export interface BudgetSanity {
  /** Predicted latency of the unpruned model in the deployed bundle (BN folded, activations fused on TF.js). */
  deployedMs: number;
  /** Predicted latency of the unpruned model as a Layers bundle (BN and activations as separate ops). */
  layersMs: number;
  /** deployedMs / budget: the speed-up pruning must deliver. */
  speedupAsked: number;
  /** A budget a pruned model can plausibly meet (a 2× speed-up over the deployed unpruned model). */
  suggestedMs: number;
  /** Set when the asked speed-up exceeds {@link PLAUSIBLE_SPEEDUP}: the warning to show. */
  warning?: string;
}

/** Round a latency up to a readable budget: two significant digits. */
function readableMs(ms: number): number {
  if (!(ms > 0)) return ms;
  const step = 10 ** (Math.floor(Math.log10(ms)) - 1);
  return Number((Math.ceil(ms / step - 1e-9) * step).toPrecision(2));
}

/**
 * Compare the latency budget with the unpruned model's predicted latency on the deployed bundle;
 * above a 3× speed-up, say so with the figures and a plausible budget.
 */
export function checkBudgetSanity(before: TargetPrediction, budget: ResolvedBudget, target: string): BudgetSanity {
  const deployedMs = before.resources.latencyMs;
  const speedupAsked = deployedMs / budget.latencyMs;
  const suggestedMs = readableMs(deployedMs / 2);
  const out: BudgetSanity = { deployedMs, layersMs: before.layersLatencyMs, speedupAsked, suggestedMs };
  if (speedupAsked > PLAUSIBLE_SPEEDUP) {
    out.warning = `the latency budget ${budget.latencyMs} ms asks pruning for a ${speedupAsked.toFixed(1)}× speed-up on ${target}: the unpruned model is predicted at ${before.layersLatencyMs.toFixed(1)} ms as a Layers bundle and ${deployedMs.toFixed(1)} ms as deployed (${before.deployed}, BN folded, activations fused). Beyond ${PLAUSIBLE_SPEEDUP}× channel pruning usually destroys a model; a budget of about ${suggestedMs} ms (2×) is plausible (--latency-ms ${suggestedMs}), or pick a faster target.`;
  }
  return out;
}

/**
 * After the search: when the fidelity floor stopped it short of the budgets, fail with
 * BUDGET_UNREACHABLE saying how far the best plan above the floor is from the budget and what
 * would help (the plan is already written to `planPath`).
 */
export function requireAboveFloor(search: PlanSearchResult, options: { hasImages: boolean; labelled: boolean; target: string; planPath: string }): void {
  const stop = search.floorStop;
  if (!stop) return;
  const predicted = search.predictions.after.resources;
  const over = (['latencyMs', 'memoryMb', 'modelSizeMb'] as const)
    .filter((r) => search.budget[r] !== undefined && predicted[r] > (search.budget[r] as number))
    .map((r) => `${r} ${predicted[r].toFixed(2)} > ${search.budget[r]} (${((predicted[r] / (search.budget[r] as number) - 1) * 100).toFixed(0)}% over)`);
  const helps = [
    // Labels cannot help a detector or segmenter: its raw outputs are the measure.
    options.hasImages ? (options.labelled || stop.floor.measure === 'output fidelity' ? '' : 'labelled images (class sub-folders) so accuracy, not agreement, decides') : '--data <folder of images, labelled or not: a flat folder is enough> so candidates are judged on real inputs and fine-tuning can win quality back',
    `a looser budget (this plan predicts ${predicted.latencyMs.toFixed(1)} ms: --latency-ms ${readableMs(predicted.latencyMs)})`,
    'another target (edge-prune targets)',
    `--min-agreement <lower floor>, or --force to search past the floor (the model may be destroyed)`,
  ].filter(Boolean);
  fail('BUDGET_UNREACHABLE', {
    expected: `a plan within the budgets whose ${stop.floor.measure} with the unpruned model stays ≥ ${stop.floor.value}`,
    found: `the best plan above the floor (${stop.floor.measure} ${stop.kept.toFixed(3)} on ${stop.floor.on}; the next cut ${stop.rejected.toFixed(3)}) is over budget: ${over.join(', ') || 'no budget'}`,
    where: options.planPath,
    hint: `what would help: ${helps.join('; ')}`,
  });
}

/**
 * After the search: when even the smallest model (every group at its minimum) misses a budget, fail
 * with BUDGET_UNREACHABLE before anything is fine-tuned, exported or measured, naming the smallest
 * model's prediction and a budget it could meet.
 */
export function requireReachable(search: PlanSearchResult, target: string): void {
  const smallest = search.smallest;
  if (!smallest) return;
  const over = (['latencyMs', 'memoryMb', 'modelSizeMb'] as const).filter((r) => search.budget[r] !== undefined && smallest[r] > (search.budget[r] as number));
  fail('BUDGET_UNREACHABLE', {
    expected: `a model within ${over.map((r) => `${r} ≤ ${search.budget[r]}`).join(', ')} on ${target}`,
    found: `even the smallest model (every group at its minimum) predicts ${over.map((r) => `${r} ${smallest[r].toFixed(2)}`).join(', ')}; nothing was pruned, fine-tuned or exported`,
    where: `the search on ${target}`,
    hint: `channel pruning cannot get there: loosen the budget${over.includes('latencyMs') ? ` (the unpruned model predicts ${search.original.latencyMs.toFixed(2)} ms; about half of it, --latency-ms ${readableMs(search.original.latencyMs / 2)}, is plausible)` : ''} or pick a faster target (edge-prune targets)`,
  });
}
