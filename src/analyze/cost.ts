// MAC and parameter counting at batch 1 (multiply-accumulates, as pruning papers count "FLOPs").
import type { Graph, ModelBundle, ModelCost } from '../core/types.ts';
import { findRule } from '../layers/rules.ts';
import { sizeOf } from '../layers/shapes.ts';

/** Slots that are state, not parameters (BatchNormalization statistics). */
const NON_PARAMETER_SLOTS = new Set(['moving_mean', 'moving_variance']);

/**
 * Count MACs (convolutions, depthwise, separable and dense layers; bias, BN, activations and pooling
 * are not multiply-accumulates) and parameters (trainable weights: kernels, biases, BN gamma/beta;
 * BN moving statistics are not counted, as in the literature's figures).
 */
export function countCost(graph: Graph, bundle: ModelBundle): ModelCost {
  const shapes = new Map(graph.nodes.map((n) => [n.name, n.outputShape]));
  const weightSizes = new Map(bundle.weights.map((w) => [w.name, sizeOf(w.shape)]));
  const layers = graph.nodes.map((node) => {
    const rule = findRule(node.className);
    const inputs = node.inputs.map((name) => shapes.get(name) ?? []);
    const macs = rule?.macs ? rule.macs(inputs, node.outputShape, node.config) : 0;
    let params = 0;
    for (const [slot, name] of Object.entries(node.weights)) {
      if (!NON_PARAMETER_SLOTS.has(slot)) params += weightSizes.get(name) ?? 0;
    }
    return { name: node.name, className: node.className, macs, params, outputShape: node.outputShape };
  });
  return {
    macs: layers.reduce((n, l) => n + l.macs, 0),
    params: layers.reduce((n, l) => n + l.params, 0),
    layers,
  };
}

/** MACs of a graph at batch 1 (no weights needed, e.g. for a shrunk graph during search). */
export function countMacs(graph: Graph): number {
  const shapes = new Map(graph.nodes.map((n) => [n.name, n.outputShape]));
  let macs = 0;
  for (const node of graph.nodes) {
    const rule = findRule(node.className);
    if (rule?.macs) macs += rule.macs(node.inputs.map((name) => shapes.get(name) ?? []), node.outputShape, node.config);
  }
  return macs;
}
