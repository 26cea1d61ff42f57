// The state a TF.js graph-model emitter writes into: GraphDef-style nodes (JSON form), Const weights, shared constants.
import { fail } from '../core/errors.ts';
import type { GraphNode, WeightEntry } from '../core/types.ts';

/** One attribute value of a GraphDef node in TF.js's JSON form. */
export type TfAttr =
  | { type: string }
  | { i: string }
  | { f: number }
  | { b: boolean }
  | { s: string }
  | { list: { i?: string[]; s?: string[] } }
  | { shape: { dim: { size: string }[] } }
  | { tensor: { dtype: string; tensorShape: { dim?: { size: string }[] } } };

/** One GraphDef node. */
export interface TfNode {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, TfAttr>;
}

/** Attribute helpers. */
export const attr = {
  float: (): TfAttr => ({ type: 'DT_FLOAT' }),
  ints: (values: readonly number[]): TfAttr => ({ list: { i: values.map(String) } }),
  int: (value: number): TfAttr => ({ i: String(value) }),
  f: (value: number): TfAttr => ({ f: value }),
  bool: (value: boolean): TfAttr => ({ b: value }),
  str: (value: string): TfAttr => ({ s: Buffer.from(value).toString('base64') }),
  strs: (values: readonly string[]): TfAttr => ({ list: { s: values.map((v) => Buffer.from(v).toString('base64')) } }),
  shape: (dims: readonly number[]): TfAttr => ({ shape: { dim: dims.map((d) => ({ size: String(d) })) } }),
};

/** The graph under construction; `consts` are the Const nodes' values, in node order. */
export interface TfGraphState {
  nodes: TfNode[];
  names: Set<string>;
  consts: WeightEntry[];
}

/** A fresh graph state. */
export function createTfGraphState(): TfGraphState {
  return { nodes: [], names: new Set(), consts: [] };
}

/** Reserve a unique node name. */
function reserve(state: TfGraphState, wanted: string): string {
  let name = wanted;
  for (let i = 2; state.names.has(name); i++) name = `${wanted}_${i}`;
  state.names.add(name);
  return name;
}

/** Append a node; returns its (unique) name, which is also its output tensor's name. */
export function addTfNode(state: TfGraphState, op: string, input: string[], wanted: string, attrs: Record<string, TfAttr> = {}): string {
  const name = reserve(state, wanted);
  state.nodes.push({ name, op, input, attr: attrs });
  return name;
}

/** Add a Const node whose value is stored in the weights manifest. */
export function addConst(state: TfGraphState, wanted: string, shape: number[], data: Float32Array, dtype: 'float32' | 'int32' = 'float32'): string {
  const tfType = dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
  const name = reserve(state, wanted);
  state.nodes.push({
    name,
    op: 'Const',
    input: [],
    attr: { value: { tensor: { dtype: tfType, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } }, dtype: { type: tfType } },
  });
  state.consts.push({ name, shape, dtype, data });
  return name;
}

/** A shared int32 constant (axes, shapes, paddings), one per distinct value. */
export function addInt32Const(state: TfGraphState, values: readonly number[], shape: number[] = [values.length]): string {
  const name = `const/i32/${shape.join('x')}/${values.join(',')}`;
  return state.names.has(name) ? name : addConst(state, name, shape, Float32Array.from(values), 'int32');
}

/** A shared float scalar constant. */
export function addFloatScalar(state: TfGraphState, value: number): string {
  const name = `const/f32/${value}`;
  return state.names.has(name) ? name : addConst(state, name, [], Float32Array.of(value));
}

/** What a graph-model emitter gets. */
export interface TfEmitContext {
  node: GraphNode;
  /** Input tensor names (NHWC, as Keras). */
  inputs: string[];
  /** Keras shapes (no batch) of the inputs. */
  inputShapes: number[][];
  state: TfGraphState;
  /** Emit a node named `<layer>` or `<layer>/<suffix>`. */
  op(op: string, input: string[], attrs?: Record<string, TfAttr>, suffix?: string): string;
  /** A float Const `<layer>/<suffix>` from values. */
  constant(suffix: string, shape: number[], data: Float32Array): string;
  /** The layer's weight of a role, or undefined. */
  weight(role: string): WeightEntry | undefined;
  /** The layer's weight of a role; INVALID_MODEL when missing. */
  requireWeight(role: string): WeightEntry;
}

/** Build the emit context of one layer. */
export function createTfEmitContext(
  state: TfGraphState,
  node: GraphNode,
  inputs: string[],
  inputShapes: number[][],
  weights: ReadonlyMap<string, WeightEntry>,
): TfEmitContext {
  const weight = (role: string): WeightEntry | undefined => {
    const name = node.weights[role];
    return name === undefined ? undefined : weights.get(name);
  };
  return {
    node,
    inputs,
    inputShapes,
    state,
    op: (op, input, attrs, suffix) => addTfNode(state, op, input, suffix ? `${node.name}/${suffix}` : node.name, attrs),
    constant: (suffix, shape, data) => addConst(state, `${node.name}/${suffix}`, shape, data),
    weight,
    requireWeight: (role) =>
      weight(role) ??
      fail('INVALID_MODEL', { expected: `a "${role}" weight`, found: 'none in the manifest', where: `layer "${node.name}" (${node.className})`, hint: 'the weights manifest does not match the topology' }),
  };
}
