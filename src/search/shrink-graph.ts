// The graph a plan would produce, without touching weights: configs shrink and shapes are re-inferred.
import type { ChannelGroup, Graph, GraphNode, JsonObject, PrunePlan } from '../core/types.ts';
import { findRule } from '../layers/rules.ts';

/**
 * Apply a plan's config changes (filters, units, reshape targets) to a graph and recompute every
 * output shape. Cheap enough to call for every candidate of a search; weights are not sliced.
 */
export function shrinkGraph(graph: Graph, groups: readonly ChannelGroup[], plan: PrunePlan): Graph {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const configs = new Map<string, JsonObject>();
  for (const entry of plan.groups) {
    if (entry.drop.length === 0) continue;
    for (const m of byId.get(entry.id)?.members ?? []) {
      if (m.role !== 'config') continue;
      const node = graph.nodes.find((n) => n.name === m.layer);
      if (!node) continue;
      const config = configs.get(m.layer) ?? structuredClone(node.config);
      if (m.axis < 0) config[m.weight] = (config[m.weight] as number) - entry.drop.length;
      else (config[m.weight] as number[])[m.axis] = ((config[m.weight] as number[])[m.axis] as number) - entry.drop.length;
      configs.set(m.layer, config);
    }
  }
  const shapes = new Map<string, number[]>();
  const nodes: GraphNode[] = graph.nodes.map((node) => {
    const config = configs.get(node.name) ?? node.config;
    const rule = findRule(node.className);
    const inputs = node.inputs.map((n) => shapes.get(n) ?? []);
    const outputShape = rule ? rule.outputShape(inputs, config, node.name) : [...(inputs[0] ?? node.outputShape)];
    shapes.set(node.name, outputShape);
    return { ...node, config, outputShape };
  });
  return { nodes, inputs: graph.inputs, outputs: graph.outputs };
}
