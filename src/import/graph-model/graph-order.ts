// The sub-graph an import converts: output selection, nodes reachable from the outputs in topological order, cycles refused.
import { fail } from '../../core/errors.ts';
import type { GraphDefModel, TfNodeDef } from './graph-def.ts';
import { parseTensorRef } from './graph-def.ts';

/** TF control-flow ops that legitimately close a cycle (while loops). */
const LOOP_OPS = new Set(['NextIteration', 'Merge', 'Enter', 'Exit', 'Switch', 'LoopCond']);

/** Ops that never produce a model output. */
const NOT_OUTPUTS = new Set(['Const', 'NoOp', 'Placeholder']);

/**
 * Output node names: the requested ones (`name` or `name:0`), else the signature's outputs, else every
 * node nobody reads. Unknown names are an INVALID_ARGUMENT listing a few valid ones.
 */
export function selectOutputs(model: GraphDefModel, requested?: readonly string[]): string[] {
  const byName = new Set(model.nodes.map((n) => n.name));
  const names = (list: readonly string[]): string[] => list.map((s) => parseTensorRef(s)?.node ?? s);
  if (requested && requested.length > 0) {
    const wanted = names(requested);
    const unknown = wanted.filter((n) => !byName.has(n));
    if (unknown.length > 0) {
      fail('INVALID_ARGUMENT', {
        expected: 'names of nodes in the graph',
        found: unknown.map((n) => `"${n}"`).join(', '),
        where: `--outputs (${model.path})`,
        hint: `node names look like ${model.nodes.filter((n) => !NOT_OUTPUTS.has(n.op)).slice(-3).map((n) => `"${n.name}"`).join(', ')}`,
      });
    }
    return wanted;
  }
  const signed = model.signature?.['outputs'];
  if (typeof signed === 'object' && signed !== null && !Array.isArray(signed)) {
    const list = names(Object.keys(signed)).filter((n) => byName.has(n));
    if (list.length > 0) return list;
  }
  const read = new Set(model.nodes.flatMap((n) => n.inputs.map((r) => r.node)));
  const sinks = model.nodes.filter((n) => !read.has(n.name) && !NOT_OUTPUTS.has(n.op)).map((n) => n.name);
  if (sinks.length === 0) fail('INVALID_MODEL', { expected: 'a graph with output nodes', found: 'every node is read by another (a cycle)', where: model.path, hint: 'the GraphDef is malformed' });
  return sinks;
}

/** Nodes reachable from `outputs`, each after its inputs; a cycle is an INVALID_MODEL naming a node on it. */
export function orderReachable(nodes: readonly TfNodeDef[], outputs: readonly string[], where: string): TfNodeDef[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: TfNodeDef[] = [];
  for (const root of outputs) {
    // Iterative depth-first search: deep graphs cannot overflow the call stack.
    const stack: { node: TfNodeDef; next: number }[] = [];
    const push = (name: string, from: string): void => {
      const node = byName.get(name);
      if (!node) fail('INVALID_MODEL', { expected: 'inputs that name nodes of the graph', found: `"${name}"`, where: `${where}: node "${from}"`, hint: 'the GraphDef is malformed; re-convert the model' });
      const s = state.get(name);
      if (s === 'visiting') {
        const loop = stack.map((f) => f.node).find((n) => LOOP_OPS.has(n.op));
        if (loop) fail('UNSUPPORTED_OP', { expected: 'an op of a CNN backbone or head', found: `a control-flow loop (${loop.op})`, where: `node "${loop.name}" (${loop.op})`, hint: 'import the sub-graph before the loop: --outputs <node,...>' });
        fail('INVALID_MODEL', { expected: 'an acyclic graph', found: `a cycle through node "${name}"`, where, hint: 'the file is corrupt: a graph without loop ops cannot contain a cycle' });
      }
      if (s !== 'done') {
        state.set(name, 'visiting');
        stack.push({ node, next: 0 });
      }
    };
    push(root, 'outputs');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { node: TfNodeDef; next: number };
      const ref = top.node.inputs[top.next];
      if (ref === undefined) {
        state.set(top.node.name, 'done');
        order.push(top.node);
        stack.pop();
        continue;
      }
      top.next += 1;
      push(ref.node, top.node.name);
    }
  }
  return order;
}

/** How many nodes of `order` read each node (a node reading another twice counts twice). */
export function countReaders(order: readonly TfNodeDef[]): Map<string, number> {
  const readers = new Map<string, number>();
  for (const n of order) for (const r of n.inputs) readers.set(r.node, (readers.get(r.node) ?? 0) + 1);
  return readers;
}
