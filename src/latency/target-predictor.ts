// Predicted latency, peak memory and model size of a graph on a target, side by side with its budget.
import type { Graph } from '../core/types.ts';
import { predictLatency, type LatencyPrediction } from './latency-model.ts';
import type { LoadedTarget } from '../targets/load-targets.ts';
import { checkBudget, estimateMemory, type BudgetCheck, type MemoryEstimate } from './memory.ts';
import { deployedGraph, isGraphModelFormat } from './deployed-graph.ts';

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
  /** The bundle the target deploys (its first export format): what latency and memory cost. */
  deployed: string;
  /**
   * Predicted latency of the graph as the Layers model runs it (BatchNormalization and activations
   * as separate ops); equals `latency.totalMs` when the deployed bundle is the Layers model.
   */
  layersLatencyMs: number;
}

/** The graph a target's deployed bundle executes (folded and fused for a TF.js graph model). */
export function graphAsDeployed(graph: Graph, loaded: LoadedTarget): Graph {
  return isGraphModelFormat(loaded.target.exportFormats[0]) ? deployedGraph(graph) : graph;
}

/**
 * Predict a graph on a target, as the bundle it deploys runs it (see `graphAsDeployed`): latency from its profile's runtime coefficients, memory and the
 * model size of the target's first export format in its quantization, each checked against the
 * target's budget (or the `budget` override).
 */
export function predictOnTarget(
  graph: Graph,
  loaded: LoadedTarget,
  budget: { latencyMs: number; memoryMb: number; modelSizeMb: number } = loaded.target.budget,
): TargetPrediction {
  const { target, profile } = loaded;
  const deployed = graphAsDeployed(graph, loaded);
  const latency = predictLatency(deployed, profile, target.runtime);
  const layersLatencyMs = deployed === graph ? latency.totalMs : predictLatency(graph, profile, target.runtime).totalMs;
  const memory = estimateMemory(deployed, target.exportFormats[0] ?? 'tfjs', target.quantization);
  const checks = checkBudget({ latencyMs: latency.totalMs, memory }, budget);
  return {
    target: target.name,
    latency,
    memory,
    resources: { latencyMs: latency.totalMs, memoryMb: memory.peakMb, modelSizeMb: memory.modelSizeMb },
    checks,
    met: checks.every((c) => c.ok),
    deployed: target.exportFormats[0] ?? 'tfjs',
    layersLatencyMs,
  };
}

/** A `(graph) => resources` function for the search (latency ms, peak memory MB, model size MB), costed as deployed. */
export function resourcePredictor(loaded: LoadedTarget): (graph: Graph) => { latencyMs: number; memoryMb: number; modelSizeMb: number } {
  const { target, profile } = loaded;
  return (graph) => {
    const deployed = graphAsDeployed(graph, loaded);
    const memory = estimateMemory(deployed, target.exportFormats[0] ?? 'tfjs', target.quantization);
    return { latencyMs: predictLatency(deployed, profile, target.runtime).totalMs, memoryMb: memory.peakMb, modelSizeMb: memory.modelSizeMb };
  };
}
