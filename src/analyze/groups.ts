// Channel-group analysis (DESIGN.md §3): which channel axes across layers must lose the same indices.
import type { ChannelGroup, Graph, GraphNode, Member } from '../core/types.ts';
import { channelKindOf, findRule } from '../layers/rules.ts';
import type { LayerRule } from '../layers/rule-types.ts';
import { concatAxis } from '../layers/shape-rules.ts';
import { readChannelSlice } from '../layers/dense-rules.ts';
import { SpaceTable, type Layout, type Segment } from './spaces.ts';

/** Channels on the last axis of a shape. */
const lastDim = (shape: readonly number[]): number => shape[shape.length - 1] ?? 0;

/** Most walks while channel slices refine the spaces (each walk adds cuts; real models need two or three). */
const MAX_WALKS = 12;

/** Analysis state while walking the graph in topological order. */
interface Walk {
  table: SpaceTable;
  layouts: Map<string, Layout>;
  order: number;
  /** Where node outputs are cut into separate spaces (so a ChannelSlice takes whole spaces): node → offsets. */
  cuts: Map<string, Set<number>>;
  /** A cut was added in this walk: walk again. */
  changed: boolean;
}

/** A node output's fresh spaces: one per part between its cuts (the first part named after the node, others `node@start`). */
function freshLayout(walk: Walk, node: GraphNode, lockReason?: string): Layout {
  const size = lastDim(node.outputShape);
  const edges = [0, ...[...(walk.cuts.get(node.name) ?? [])].filter((c) => c > 0 && c < size).sort((a, b) => a - b), size];
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const [start, end] = [edges[i] as number, edges[i + 1] as number];
    const space = walk.table.create(end - start, start === 0 ? node.name : `${node.name}@${start}`, walk.order, lockReason, { node: node.name, start });
    segments.push({ space, pos: start, length: end - start, via: [] });
  }
  return { segments };
}

/** Cut a segment's space `offset` channels in, in every node output joined to it (takes effect on the next walk). */
function cutSpace(walk: Walk, seg: Segment, offset: number): void {
  for (const part of walk.table.partsOf(seg.space)) {
    const set = walk.cuts.get(part.node) ?? new Set<number>();
    if (!set.has(part.start + offset)) {
      set.add(part.start + offset);
      walk.changed = true;
    }
    walk.cuts.set(part.node, set);
  }
}

/** Cut every segment of the layouts that an edge falls strictly inside; true when a cut was made. */
function cutAtEdges(walk: Walk, layouts: readonly Layout[], edges: readonly number[]): boolean {
  let cut = false;
  for (const l of layouts) {
    for (const seg of l.segments) {
      for (const e of edges) {
        if (e > seg.pos && e < seg.pos + seg.length) {
          cutSpace(walk, seg, e - seg.pos);
          cut = true;
        }
      }
    }
  }
  return cut;
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
  for (const { slot, axis } of rule.outAxes ?? []) addAxisMembers(walk, node, out, slot, axis, 'producer');
  for (const seg of rule.countField ? out.segments : []) {
    const field = rule.countField as string;
    walk.table.addMember(seg.space, { layer: node.name, weight: field, slot: field, axis: -1, role: 'config', offset: seg.pos, stride: seg.length, repeat: 1 });
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
    // Differently cut inputs (a slice cut one of them): cut the others alike on the next walk.
    const edges = [...new Set(inputs.flatMap((l) => l.segments.flatMap((s) => [s.pos, s.pos + s.length])))];
    if (inputs.every((l) => !l.flat) && cutAtEdges(walk, inputs, edges)) return freshLayout(walk, node, 'channel cut pending');
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

/**
 * ChannelSlice: the input's spaces inside [begin, begin + size), shifted to 0. A slice edge inside a
 * space cuts that space (and every node output joined to it) for the next walk. `begin` shrinks with
 * the spaces before the slice, `size` with those inside it.
 */
function visitSlice(walk: Walk, node: GraphNode, input: Layout, inputShape: number[]): Layout {
  if (input.flat) {
    lockLayout(walk, input, `ChannelSlice "${node.name}" of a flattened tensor`);
    return freshLayout(walk, node, `output of ChannelSlice "${node.name}" of a flattened tensor`);
  }
  const { begin, size } = readChannelSlice(node.config, lastDim(inputShape), node.name);
  const end = begin + size;
  if (cutAtEdges(walk, [input], [begin, end])) return freshLayout(walk, node, 'channel cut pending');
  const segments: Segment[] = [];
  for (const seg of input.segments) {
    const field = seg.pos + seg.length <= begin ? 'begin' : seg.pos >= begin && seg.pos + seg.length <= end ? 'size' : undefined;
    if (!field) continue;
    walk.table.addMember(seg.space, { layer: node.name, weight: field, slot: field, axis: -1, role: 'config', offset: seg.pos, stride: seg.length, repeat: 1 });
    if (field === 'size') segments.push({ ...seg, pos: seg.pos - begin });
  }
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
  else if (kind === 'slice') out = visitSlice(walk, node, first, inputShapes[0] ?? []);
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
 * Find the channel groups of a graph. A ChannelSlice (C2f/CSP split) cuts its producer's channels
 * into separate groups at the slice's edges. Groups whose channels reach a model output, come from the
 * model input, or pass a layer that mixes channels are locked. Ids are stable across runs: the name
 * of the first layer (in topological order) that starts the group's channels.
 */
export function findGroups(graph: Graph): ChannelGroup[] {
  const shapes = new Map(graph.nodes.map((n) => [n.name, n.outputShape]));
  const cuts = new Map<string, Set<number>>();
  let walk: Walk;
  // Channel slices cut spaces into parts; walk again until no slice or merge needs a new cut.
  for (let pass = 0; ; pass++) {
    walk = { table: new SpaceTable(), layouts: new Map(), order: 0, cuts, changed: false };
    for (const node of graph.nodes) {
      visitNode(walk, node, shapes);
      walk.order += 1;
    }
    if (!walk.changed || pass + 1 >= MAX_WALKS) break;
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
