// The Graph of a Keras topology alone (no weights): what the latency model needs to cost reference networks.
import type { Graph, GraphNode, JsonObject } from '../core/types.ts';
import { parseTopology, sortTopologically } from '../analyze/topology.ts';
import { requireRule } from '../layers/rules.ts';

/** Is a weight slot present given the layer config (use_bias, center, scale)? */
function slotPresent(slot: string, config: JsonObject): boolean {
  if (slot === 'bias') return config['use_bias'] !== false;
  if (slot === 'gamma') return config['scale'] !== false;
  if (slot === 'beta') return config['center'] !== false;
  return true;
}

/**
 * Build a graph from a topology without weights: each present weight slot is named `layer/slot`
 * (as a manifest would name it), shapes come from the layer rules. For costing only: nothing
 * here can run the network.
 */
export function graphOfTopology(topology: JsonObject): Graph {
  const raw = parseTopology(topology);
  const shapes = new Map<string, number[]>();
  const nodes: GraphNode[] = [];
  for (const layer of sortTopologically(raw)) {
    const rule = requireRule(layer.className, layer.name);
    const inputs = layer.inputs.map((n) => shapes.get(n) ?? []);
    const outputShape = rule.outputShape(inputs, layer.config, layer.name);
    shapes.set(layer.name, outputShape);
    const weights: Record<string, string> = {};
    for (const { name } of rule.slots) if (slotPresent(name, layer.config)) weights[name] = `${layer.name}/${name}`;
    nodes.push({ name: layer.name, className: layer.className, config: layer.config, inputs: layer.inputs, outputShape, weights });
  }
  return { nodes, inputs: raw.inputs, outputs: raw.outputs };
}
