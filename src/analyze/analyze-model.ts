// The analyze stage: graph, channel groups and cost of a bundle, plus their stable text form.
import type { ChannelGroup, Graph, ModelBundle, ModelCost } from '../core/types.ts';
import { countCost } from './cost.ts';
import { buildGraph, type GraphOptions } from './graph.ts';
import { findGroups } from './groups.ts';

/** Everything analysis knows about a model. */
export interface Analysis {
  graph: Graph;
  groups: ChannelGroup[];
  cost: ModelCost;
}

/** Analyze a bundle: build its graph, find channel groups, count MACs and parameters. */
export function analyzeModel(bundle: ModelBundle, options: GraphOptions = {}): Analysis {
  const graph = buildGraph(bundle, options);
  return { graph, groups: findGroups(graph), cost: countCost(graph, bundle) };
}

/** Format a count with M/k suffixes for tables. */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** Stable, printable text of the channel groups (what `edge-prune analyze` prints). */
export function describeGroups(analysis: Analysis): string {
  const lines = [`MACs ${formatCount(analysis.cost.macs)} (${analysis.cost.macs})  params ${formatCount(analysis.cost.params)} (${analysis.cost.params})`];
  const unlocked = analysis.groups.filter((g) => !g.locked).length;
  lines.push(`${analysis.groups.length} channel groups, ${unlocked} prunable`, '');
  for (const g of analysis.groups) {
    const state = g.locked ? `locked: ${g.lockReasons.join('; ')}` : 'prunable';
    lines.push(`group ${g.id}  channels ${g.size}  ${state}`);
    for (const m of g.members) {
      if (m.role === 'config') {
        lines.push(`  config    ${m.layer}.${m.weight}${m.axis >= 0 ? `[${m.axis}]` : ''}`);
        continue;
      }
      const map = m.repeat > 1 ? ` rows p·${m.stride}+${m.offset}+c (p<${m.repeat})` : m.offset > 0 ? ` offset ${m.offset}` : '';
      const via = m.via?.length ? ` via ${m.via.map((v) => v.layer).join(', ')}` : '';
      lines.push(`  ${m.role.padEnd(9)} ${m.weight} axis ${m.axis}${map}${via}`);
    }
  }
  return lines.join('\n');
}
