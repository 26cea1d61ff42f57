// Predicted latency, peak memory and model size of a graph on a target, side by side with its budget.
import type { Graph } from '../core/types.ts';
import { predictLatency, type LatencyPrediction } from './latency-model.ts';
import type { LoadedTarget } from '../targets/load-targets.ts';
import { checkBudget, estimateMemory, type BudgetCheck, type MemoryEstimate } from './memory.ts';

/** Everything predicted for one graph on one target. */
export interface TargetPrediction {
  target: string;
  latency: LatencyPrediction;
  memory: MemoryEstimate;
  /** The three budgeted figures, in the units budgets use. */
  resources: { latencyMs: number; memoryMb: number; modelSizeMb: number };
  checks: BudgetCheck[];
  /** True when every budget holds. */
  met: boolean;
}

/**
 * Predict a graph on a target: latency from its profile's runtime coefficients, memory and the
 * model size of the target's first export format in its quantization, each checked against the
 * target's budget (or the `budget` override).
 */
export function predictOnTarget(
  graph: Graph,
  loaded: LoadedTarget,
  budget: { latencyMs: number; memoryMb: number; modelSizeMb: number } = loaded.target.budget,
): TargetPrediction {
  const { target, profile } = loaded;
  const latency = predictLatency(graph, profile, target.runtime);
  const memory = estimateMemory(graph, target.exportFormats[0] ?? 'tfjs', target.quantization);
  const checks = checkBudget({ latencyMs: latency.totalMs, memory }, budget);
  return {
    target: target.name,
    latency,
    memory,
    resources: { latencyMs: latency.totalMs, memoryMb: memory.peakMb, modelSizeMb: memory.modelSizeMb },
    checks,
    met: checks.every((c) => c.ok),
  };
}

/** A `(graph) => resources` function for the search (latency ms, peak memory MB, model size MB). */
export function resourcePredictor(loaded: LoadedTarget): (graph: Graph) => { latencyMs: number; memoryMb: number; modelSizeMb: number } {
  return (graph) => predictOnTarget(graph, loaded).resources;
}
