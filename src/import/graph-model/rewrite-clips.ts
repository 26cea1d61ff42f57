// Peephole rewrites before conversion: Relu and Relu6 written as Maximum/Minimum/ClipByValue with constant bounds.
import type { ConstTensor, TensorRef, TfNodeDef } from './graph-def.ts';

/** The scalar value of a Const input, or undefined. */
function scalarOf(ref: TensorRef | undefined, byName: ReadonlyMap<string, TfNodeDef>, consts: ReadonlyMap<string, ConstTensor>): number | undefined {
  if (!ref || byName.get(ref.node)?.op !== 'Const') return undefined;
  const t = consts.get(ref.node);
  return t && t.data.length === 1 ? t.data[0] : undefined;
}

/**
 * Rewrite, in topological order: Maximum(x, 0) → Relu(x); Minimum(Relu(x), 6) → Relu6(x);
 * Maximum(Minimum(x, 6), 0) → Relu6(x); ClipByValue(x, 0, 6) → Relu6(x). Returns new node objects
 * (the input list is not modified); nodes no longer read simply drop out of the reachable set.
 */
export function rewriteClips(order: readonly TfNodeDef[], consts: ReadonlyMap<string, ConstTensor>): TfNodeDef[] {
  const byName = new Map<string, TfNodeDef>();
  const out: TfNodeDef[] = [];
  for (const original of order) {
    let node = original;
    const [a, b, c] = node.inputs;
    const other = (value: number): TensorRef | undefined => {
      if (scalarOf(b, byName, consts) === value) return a;
      if (scalarOf(a, byName, consts) === value) return b;
      return undefined;
    };
    if (node.op === 'Maximum') {
      const x = other(0);
      const inner = x ? byName.get(x.node) : undefined;
      if (x && inner?.op === 'Minimum' && inner.inputs.length === 2) {
        const innerX = scalarOf(inner.inputs[1], byName, consts) === 6 ? inner.inputs[0] : scalarOf(inner.inputs[0], byName, consts) === 6 ? inner.inputs[1] : undefined;
        node = innerX ? { ...node, op: 'Relu6', inputs: [innerX] } : { ...node, op: 'Relu', inputs: [x] };
      } else if (x) node = { ...node, op: 'Relu', inputs: [x] };
    } else if (node.op === 'Minimum') {
      const x = other(6);
      const inner = x ? byName.get(x.node) : undefined;
      if (x && inner?.op === 'Relu' && inner.inputs[0]) node = { ...node, op: 'Relu6', inputs: [inner.inputs[0]] };
    } else if (node.op === 'ClipByValue' && a && scalarOf(b, byName, consts) === 0 && scalarOf(c, byName, consts) === 6) {
      node = { ...node, op: 'Relu6', inputs: [a] };
    }
    byName.set(node.name, node);
    out.push(node);
  }
  return out;
}
