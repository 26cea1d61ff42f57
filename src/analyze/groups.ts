// Channel-group analysis (DESIGN.md §3): which channel axes across layers must lose the same indices.
import type { ChannelGroup, Graph, GraphNode, Member } from '../core/types.ts';
import { channelKindOf, findRule } from '../layers/rules.ts';
import type { LayerRule } from '../layers/rule-types.ts';
import { concatAxis } from '../layers/shape-rules.ts';
import { SpaceTable, type Layout, type Segment } from './spaces.ts';

/** Channels on the last axis of a shape. */
const lastDim = (shape: readonly number[]): number => shape[shape.length - 1] ?? 0;

/** Analysis state while walking the graph in topological order. */
interface Walk {
  table: SpaceTable;
  layouts: Map<string, Layout>;
  order: number;
}

/** A layout of one fresh space covering all channels of a node's output. */
function freshLayout(walk: Walk, node: GraphNode, lockReason?: string): Layout {
  const size = lastDim(node.outputShape);
  const space = walk.table.create(size, node.name, walk.order, lockReason);
  return { segments: [{ space, pos: 0, length: size, via: [] }] };
}

/** Lock every space a layout touches. */
function lockLayout(walk: Walk, layout: Layout | undefined, reason: string): void {
  for (const seg of layout?.segments ?? []) walk.table.lock(seg.space, reason);
}

/** Add one member per segment of a layout, on a weight axis that indexes the layout's channels. */
function addAxisMembers(walk: Walk, node: GraphNode, layout: Layout, slot: string, axis: number, role: Member['role']): void {
  const weight = node.weights[slot];
  if (!weight) return;
  const channels = layout.flat?.channels ?? layout.segments.reduce((n, s) => n + s.length, 0);
  for (const seg of layout.segments) {
    const member: Member = {
      layer: node.name, weight, slot, axis, role,
      offset: seg.pos, stride: channels, repeat: layout.flat?.positions ?? 1,
    };
    if (role === 'consumer' && seg.via.length > 0) member.via = seg.via.map((v) => ({ ...v }));
    walk.table.addMember(seg.space, member);
  }
}

/** Producer: its inputs' channels are consumed, its outputs start a new space. */
function visitProducer(walk: Walk, node: GraphNode, rule: LayerRule, input: Layout): Layout {
  for (const { slot, axis } of rule.inAxes ?? []) addAxisMembers(walk, node, input, slot, axis, 'consumer');
  const out = freshLayout(walk, node);
  const seg = out.segments[0] as Segment;
  for (const { slot, axis } of rule.outAxes ?? []) addAxisMembers(walk, node, out, slot, axis, 'producer');
  if (rule.countField) {
    walk.table.addMember(seg.space, { layer: node.name, weight: rule.countField, slot: rule.countField, axis: -1, role: 'config', offset: 0, stride: seg.length, repeat: 1 });
  }
  return out;
}

/** Pass-through: same layout; per-channel weights become members; depthwise kernels join the path. */
function visitPass(walk: Walk, node: GraphNode, rule: LayerRule, input: Layout): Layout {
  for (const { slot, axis } of rule.passAxes ?? []) addAxisMembers(walk, node, input, slot, axis, 'pass');
  if (!rule.depthwise) return input;
  return { ...input, segments: input.segments.map((s) => ({ ...s, via: [...s.via, { layer: node.name, offset: s.pos }] })) };
}

/** Do two layouts split their channels the same way? */
function sameSplit(a: Layout, b: Layout): boolean {
  if (a.segments.length !== b.segments.length) return false;
  if ((a.flat?.positions ?? 0) !== (b.flat?.positions ?? 0)) return false;
  return a.segments.every((s, i) => s.length === b.segments[i]?.length && s.pos === b.segments[i]?.pos);
}

/** Merge (Add, Multiply, ...): union the inputs' spaces segment by segment. */
function visitMerge(walk: Walk, node: GraphNode, inputs: Layout[]): Layout {
  const first = inputs[0] as Layout;
  if (!inputs.every((l) => sameSplit(first, l))) {
    const reason = `${node.className} "${node.name}" joins differently split channels`;
    for (const l of inputs) lockLayout(walk, l, reason);
    return { ...first, segments: first.segments.map((s) => ({ ...s, via: [] })) };
  }
  for (const l of inputs.slice(1)) {
    l.segments.forEach((s, i) => walk.table.union((first.segments[i] as Segment).space, s.space, `layer "${node.name}"`));
  }
  return { ...first, segments: first.segments.map((s) => ({ ...s, via: [] })) };
}

/** Concatenate on the channel axis: the inputs' segments at offsets. */
function visitConcat(walk: Walk, node: GraphNode, inputs: Layout[], shapes: number[][]): Layout {
  const rank = node.outputShape.length;
  const axis = concatAxis(node.config, rank, node.name);
  if (axis !== rank - 1) return visitMerge(walk, node, inputs);
  if (inputs.some((l) => l.flat)) {
    for (const l of inputs) lockLayout(walk, l, `Concatenate "${node.name}" of flattened tensors`);
    return freshLayout(walk, node, `output of Concatenate "${node.name}" of flattened tensors`);
  }
  const segments: Segment[] = [];
  let pos = 0;
  inputs.forEach((l, i) => {
    for (const s of l.segments) segments.push({ ...s, pos: pos + s.pos });
    pos += lastDim(shapes[i] ?? []);
  });
  return { segments };
}

/** Flatten: channel c of an H×W×C map owns the flat positions p·C + c. */
function visitFlatten(input: Layout, inputShape: number[]): Layout {
  if (input.flat || inputShape.length <= 1) return input;
  const channels = lastDim(inputShape);
  return { segments: input.segments, flat: { positions: inputShape.reduce((a, b) => a * b, 1) / channels, channels } };
}

/** Visit one node and record its output layout. */
function visitNode(walk: Walk, node: GraphNode, shapes: Map<string, number[]>): void {
  const rule = findRule(node.className);
  const inputs = node.inputs.map((n) => walk.layouts.get(n) as Layout);
  const inputShapes = node.inputs.map((n) => shapes.get(n) ?? []);
  const first = inputs[0] as Layout;
  if (!rule) {
    for (const l of inputs) lockLayout(walk, l, `read by unsupported layer "${node.name}" (class ${node.className})`);
    walk.layouts.set(node.name, freshLayout(walk, node, `output of unsupported layer "${node.name}" (class ${node.className})`));
    return;
  }
  const kind = channelKindOf(rule, node.config);
  let out: Layout;
  if (kind === 'input') out = freshLayout(walk, node, 'model input');
  else if (kind === 'producer') out = visitProducer(walk, node, rule, first);
  else if (kind === 'pass') out = visitPass(walk, node, rule, first);
  else if (kind === 'merge') out = visitMerge(walk, node, inputs);
  else if (kind === 'concat') out = visitConcat(walk, node, inputs, inputShapes);
  else if (kind === 'flatten') out = visitFlatten(first, inputShapes[0] ?? []);
  else if (kind === 'reshape' && !first.flat && lastDim(node.outputShape) === lastDim(inputShapes[0] ?? [])) {
    const target = node.config['target_shape'] ?? node.config['targetShape'];
    const field = node.config['target_shape'] !== undefined ? 'target_shape' : 'targetShape';
    const index = Array.isArray(target) ? target.length - 1 : -1;
    for (const seg of first.segments) {
      walk.table.addMember(seg.space, { layer: node.name, weight: field, slot: field, axis: index, role: 'config', offset: seg.pos, stride: seg.length, repeat: 1 });
    }
    out = first;
  } else {
    const what = kind === 'reshape' ? `Reshape "${node.name}" changes the channel axis` : `${node.className} "${node.name}" mixes channels`;
    for (const l of inputs) lockLayout(walk, l, what);
    out = freshLayout(walk, node, `output of ${what}`);
  }
  walk.layouts.set(node.name, out);
}

/**
 * Find the channel groups of a graph. Groups whose channels reach a model output, come from the
 * model input, or pass a layer that mixes channels are locked. Ids are stable across runs: the name
 * of the first layer (in topological order) that starts the group's channels.
 */
export function findGroups(graph: Graph): ChannelGroup[] {
  const walk: Walk = { table: new SpaceTable(), layouts: new Map(), order: 0 };
  const shapes = new Map(graph.nodes.map((n) => [n.name, n.outputShape]));
  for (const node of graph.nodes) {
    visitNode(walk, node, shapes);
    walk.order += 1;
  }
  for (const name of graph.outputs) lockLayout(walk, walk.layouts.get(name), 'reaches a model output');
  return walk.table.roots().map((root) => {
    const hasProducer = root.members.some((m) => m.role === 'producer');
    const hasConsumer = root.members.some((m) => m.role === 'consumer');
    const reasons = [...root.lockReasons];
    if (reasons.length === 0 && !hasProducer) reasons.push('no layer produces these channels');
    if (reasons.length === 0 && !hasConsumer) reasons.push('no layer reads these channels');
    return { id: root.origin, size: root.size, locked: reasons.length > 0, lockReasons: reasons, members: root.members };
  });
}
