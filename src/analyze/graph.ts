// Builds the Graph of a bundle: layers in topological order with output shapes and their weights.
import { fail } from '../core/errors.ts';
import type { Graph, GraphNode, JsonObject, ModelBundle, WeightEntry } from '../core/types.ts';
import { findRule, requireRule } from '../layers/rules.ts';
import { parseTopology, sortTopologically } from './topology.ts';

/** Options for building a graph. */
export interface GraphOptions {
  /** Accept unsupported layer classes (assumed shape-preserving; their channels get locked). */
  lockUnknown?: boolean;
}

/** Is a weight slot expected given the layer config (use_bias, center, scale)? */
function slotExpected(slot: string, config: JsonObject): boolean {
  if (slot === 'bias') return config['use_bias'] !== false;
  if (slot === 'gamma') return config['scale'] !== false;
  if (slot === 'beta') return config['center'] !== false;
  return true;
}

/** Index weights by layer name, accepting `layer/slot`, `prefix/layer/slot` and `:0` suffixes. */
function indexWeights(weights: WeightEntry[]): Map<string, Map<string, WeightEntry>> {
  const byLayer = new Map<string, Map<string, WeightEntry>>();
  for (const w of weights) {
    const parts = w.name.replace(/:\d+$/, '').split('/');
    const slot = parts[parts.length - 1] as string;
    const layer = parts.length >= 2 ? (parts[parts.length - 2] as string) : '';
    const slots = byLayer.get(layer) ?? new Map<string, WeightEntry>();
    if (!slots.has(slot) || w.name === `${layer}/${slot}`) slots.set(slot, w);
    byLayer.set(layer, slots);
  }
  return byLayer;
}

/** Describe a shape for messages. */
const show = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Resolve and check a layer's weights against its rule. */
function resolveWeights(
  node: { name: string; className: string; config: JsonObject },
  inputs: number[][],
  available: Map<string, WeightEntry> | undefined,
): Record<string, string> {
  const rule = findRule(node.className);
  const out: Record<string, string> = {};
  if (!rule) {
    for (const [slot, w] of available ?? []) out[slot] = w.name;
    return out;
  }
  for (const { name: slot } of rule.slots) {
    const w = available?.get(slot);
    if (!slotExpected(slot, node.config)) continue;
    if (!w) {
      fail('MISSING_WEIGHTS', {
        expected: `weight "${node.name}/${slot}"`,
        found: 'no such weight in the manifest',
        where: `layer "${node.name}" (class ${node.className})`,
        hint: 'the weights manifest does not match the topology: re-export the model',
      });
    }
    const expected = rule.weightShape?.(slot, inputs, node.config, node.name);
    if (expected && (expected.length !== w.shape.length || expected.some((d, i) => d !== w.shape[i]))) {
      fail('WEIGHTS_MISMATCH', {
        expected: `shape ${show(expected)} for "${w.name}"`,
        found: `shape ${show(w.shape)} in the manifest`,
        where: `layer "${node.name}" (class ${node.className})`,
        hint: 'the weights do not match the layer config: the manifest belongs to another model',
      });
    }
    out[slot] = w.name;
  }
  return out;
}

/** Build the graph: topological order, output shapes, weight slots. Fails on unsupported layers unless `lockUnknown`. */
export function buildGraph(bundle: ModelBundle, options: GraphOptions = {}): Graph {
  const raw = parseTopology(bundle.topology);
  const ordered = sortTopologically(raw);
  const weights = indexWeights(bundle.weights);
  const shapes = new Map<string, number[]>();
  const nodes: GraphNode[] = [];
  for (const layer of ordered) {
    const rule = options.lockUnknown ? findRule(layer.className) : requireRule(layer.className, layer.name);
    const inputShapes = layer.inputs.map((name) => shapes.get(name) as number[]);
    if (rule && rule.channels !== 'input' && inputShapes.length === 0) {
      fail('INVALID_MODEL', { expected: 'at least one input', found: 'none', where: `layer "${layer.name}" (class ${layer.className})`, hint: 'every layer but InputLayer must read another layer' });
    }
    const outputShape = rule ? rule.outputShape(inputShapes, layer.config, layer.name) : [...(inputShapes[0] ?? [])];
    shapes.set(layer.name, outputShape);
    nodes.push({
      name: layer.name,
      className: layer.className,
      config: layer.config,
      inputs: layer.inputs,
      outputShape,
      weights: resolveWeights(layer, inputShapes, weights.get(layer.name)),
    });
  }
  return { nodes, inputs: raw.inputs, outputs: raw.outputs };
}

/** Map of node name to node. */
export function indexNodes(graph: Graph): Map<string, GraphNode> {
  return new Map(graph.nodes.map((n) => [n.name, n]));
}
