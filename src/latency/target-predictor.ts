// Predicted latency, peak memory and model size of a graph on a target, side by side with its budget.
import type { Graph, PlanEncoding } from '../core/types.ts';
import { predictLatency, type LatencyPrediction } from './latency-model.ts';
import type { LoadedTarget } from '../targets/load-targets.ts';
import { checkBudget, estimateMemory, type BudgetCheck, type MemoryEstimate, type Quantization } from './memory.ts';
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

/** The stored weight format of a plan encoding: int8 weights take one byte, as uint8 ones do. */
export function storageOf(encoding: PlanEncoding): Quantization {
  return encoding === 'int8' ? 'uint8' : encoding;
}

/** Latency and memory of the deployed graph in an encoding: int8 runs on the runtime's int8 costs, with BatchNormalization folded (as the int8 export writes it). */
function costOnTarget(deployed: Graph, loaded: LoadedTarget, encoding: PlanEncoding): { latency: LatencyPrediction; memory: MemoryEstimate } {
  const { target, profile } = loaded;
  const int8 = encoding === 'int8';
  const latency = predictLatency(deployed, profile, target.runtime, int8 ? 'int8' : 'float32');
  const memory = estimateMemory(deployed, target.exportFormats[0] ?? 'tfjs', storageOf(encoding), int8 ? true : undefined);
  return { latency, memory };
}

/**
 * Predict a graph on a target, as the bundle it deploys runs it (see `graphAsDeployed`): latency from its profile's runtime coefficients, memory and the
 * model size of the target's first export format in `encoding` (default: the target's quantization;
 * int8: the runtime's int8 costs), each checked against the target's budget (or the `budget` override).
 */
export function predictOnTarget(
  graph: Graph,
  loaded: LoadedTarget,
  budget: { latencyMs: number; memoryMb: number; modelSizeMb: number } = loaded.target.budget,
  encoding: PlanEncoding = loaded.target.quantization,
): TargetPrediction {
  const { target, profile } = loaded;
  const deployed = graphAsDeployed(graph, loaded);
  const { latency, memory } = costOnTarget(deployed, loaded, encoding);
  const compute = encoding === 'int8' ? 'int8' : 'float32';
  const layersLatencyMs = deployed === graph ? latency.totalMs : predictLatency(graph, profile, target.runtime, compute).totalMs;
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

/** A `(graph) => resources` function for the search (latency ms, peak memory MB, model size MB), costed as deployed in `encoding` (default: the target's quantization). */
export function resourcePredictor(loaded: LoadedTarget, encoding: PlanEncoding = loaded.target.quantization): (graph: Graph) => { latencyMs: number; memoryMb: number; modelSizeMb: number } {
  return (graph) => {
    const { latency, memory } = costOnTarget(graphAsDeployed(graph, loaded), loaded, encoding);
    return { latencyMs: latency.totalMs, memoryMb: memory.peakMb, modelSizeMb: memory.modelSizeMb };
  };
}
