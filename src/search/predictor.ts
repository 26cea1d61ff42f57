// The resource predictor of a target: latency from the profile's model, memory and size from the graph.
import type { Graph } from '../core/types.ts';
import type { ResourcePredictor, Resources } from './budget.ts';
import { predictLatency } from './latency-model.ts';
import type { LoadedTarget } from './load-targets.ts';
import { estimateMemory } from './memory.ts';

/** Predicted latency (ms), peak memory (MB) and exported size (MB) of a graph on a target. */
export function predictOnTarget(loaded: LoadedTarget, graph: Graph): Resources {
  const { target, profile } = loaded;
  const memory = estimateMemory(graph, target.exportFormats[0] as Parameters<typeof estimateMemory>[1], target.quantization);
  return {
    latencyMs: predictLatency(graph, profile, target.runtime).totalMs,
    memoryMb: memory.peakMb,
    modelSizeMb: memory.modelSizeMb,
  };
}

/** A ResourcePredictor bound to a target. */
export function targetPredictor(loaded: LoadedTarget): ResourcePredictor {
  return (graph) => predictOnTarget(loaded, graph);
}
