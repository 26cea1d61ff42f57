// The state an ONNX emitter writes into: nodes, initializers (optionally quantized), and tensor layouts.
import type { onnx as OnnxTypes } from 'onnx-proto';
import { fail } from '../core/errors.ts';
import type { GraphNode, WeightEntry } from '../core/types.ts';
import { encodeAttrs, createFloatTensor, createHalfTensor, createInt64Tensor, createUint8Tensor, type OnnxAttrs } from './onnx-tensors.ts';
import { quantizeUint8PerChannel } from './quantize.ts';

/**
 * How a tensor is laid out in the ONNX graph, relative to its Keras (channels-last) shape:
 * - `keras`: physically as Keras has it (NHWC for images, [N, F] for vectors);
 * - `nchw`: an image stored channel-first;
 * - `flat-chw`: a vector flattened from an NCHW image, so in C·H·W order instead of Keras's H·W·C.
 */
export type Layout = 'keras' | 'nchw' | 'flat-chw';

/** One tensor of the ONNX graph as the emitters see it. */
export interface OnnxValue {
  /** ONNX tensor name. */
  name: string;
  /** Keras shape without the batch axis (channels-last). */
  shape: number[];
  layout: Layout;
  /** For `flat-chw`: the [H, W, C] image it was flattened from. */
  from?: number[];
}

/** Weight storage inside the ONNX file. */
export type OnnxWeightStorage = 'float32' | 'float16' | 'uint8';

/** The graph under construction. */
export interface OnnxGraphState {
  nodes: OnnxTypes.INodeProto[];
  initializers: OnnxTypes.ITensorProto[];
  /** Every tensor name in use (inputs, outputs, initializers). */
  names: Set<string>;
  storage: OnnxWeightStorage;
  /** Layout conversions already emitted, keyed by `tensor|target`. */
  converted: Map<string, OnnxValue>;
}

/** A fresh, empty graph state. */
export function createGraphState(storage: OnnxWeightStorage): OnnxGraphState {
  return { nodes: [], initializers: [], names: new Set(), storage, converted: new Map() };
}

/** Reserve a tensor name, suffixing `_2`, `_3`... on collision. */
export function reserveName(state: OnnxGraphState, wanted: string): string {
  let name = wanted;
  for (let i = 2; state.names.has(name); i++) name = `${wanted}_${i}`;
  state.names.add(name);
  return name;
}

/** Append a node with one output; returns the output tensor's name. */
export function addNode(state: OnnxGraphState, opType: string, inputs: string[], output: string, attrs: OnnxAttrs = {}): string {
  const name = reserveName(state, output);
  state.nodes.push({ name, opType, input: inputs, output: [name], attribute: encodeAttrs(attrs) });
  return name;
}

/**
 * Add a float weight initializer; in float16 / uint8 storage kernels (rank ≥ 2) are stored compactly and
 * a Cast / DequantizeLinear node turns them back into float32 under `name`. Per-channel vectors (biases,
 * BatchNormalization) stay float32: they are small and sensitive. Returns the float tensor name.
 */
export function addWeight(state: OnnxGraphState, wanted: string, dims: number[], values: Float32Array): string {
  if (state.storage === 'float32' || dims.length < 2) {
    const name = reserveName(state, wanted);
    state.initializers.push(createFloatTensor(name, dims, values));
    return name;
  }
  if (state.storage === 'float16') {
    const stored = reserveName(state, `${wanted}/float16`);
    state.initializers.push(createHalfTensor(stored, dims, values));
    return addNode(state, 'Cast', [stored], wanted, { to: { int: 1 } });
  }
  // Per slice of the first axis (a conv's output channels): each gets its own range, far finer than one per tensor.
  const channels = dims[0] as number;
  const q = quantizeUint8PerChannel(values, channels);
  const stored = reserveName(state, `${wanted}/uint8`);
  const scale = reserveName(state, `${wanted}/scale`);
  const zero = reserveName(state, `${wanted}/zero_point`);
  state.initializers.push(createUint8Tensor(stored, dims, q.values));
  state.initializers.push(createFloatTensor(scale, [channels], q.scales));
  state.initializers.push(createUint8Tensor(zero, [channels], q.zeroPoints));
  return addNode(state, 'DequantizeLinear', [stored, scale, zero], wanted, { axis: { int: 0 } });
}

/** Add a small float constant (never quantized); one shared tensor per name. */
export function addFloatConst(state: OnnxGraphState, name: string, dims: number[], values: readonly number[]): string {
  if (!state.names.has(name)) {
    state.names.add(name);
    state.initializers.push(createFloatTensor(name, dims, Float32Array.from(values)));
  }
  return name;
}

/** Add an int64 constant (shapes, pads); one shared tensor per name. */
export function addInt64Const(state: OnnxGraphState, name: string, values: readonly number[]): string {
  if (!state.names.has(name)) {
    state.names.add(name);
    state.initializers.push(createInt64Tensor(name, [values.length], values));
  }
  return name;
}

/** Convert a value to the Keras (channels-last) physical order, emitting Transpose/Reshape as needed. */
export function convertToKeras(state: OnnxGraphState, v: OnnxValue): OnnxValue {
  if (v.layout === 'keras') return v;
  const key = `${v.name}|keras`;
  const done = state.converted.get(key);
  if (done) return done;
  let name: string;
  if (v.layout === 'nchw') {
    name = addNode(state, 'Transpose', [v.name], `${v.name}/nhwc`, { perm: { ints: [0, 2, 3, 1] } });
  } else {
    const [h, w, c] = v.from as [number, number, number];
    const image = addNode(state, 'Reshape', [v.name, addInt64Const(state, `shape/0,${c},${h},${w}`, [0, c, h, w])], `${v.name}/chw`);
    const nhwc = addNode(state, 'Transpose', [image], `${v.name}/hwc`, { perm: { ints: [0, 2, 3, 1] } });
    name = addNode(state, 'Reshape', [nhwc, addInt64Const(state, 'shape/0,-1', [0, -1])], `${v.name}/flat_hwc`);
  }
  const out: OnnxValue = { name, shape: v.shape, layout: 'keras' };
  state.converted.set(key, out);
  return out;
}

/** Convert an image value (Keras rank 3) to NCHW. */
export function convertToNchw(state: OnnxGraphState, v: OnnxValue, layer: string): OnnxValue {
  if (v.shape.length !== 3) {
    fail('INVALID_MODEL', {
      expected: 'an image input [height, width, channels]',
      found: `shape [${v.shape.join(', ')}]`,
      where: `layer "${layer}"`,
      hint: 'a 2-D layer must follow an image-shaped tensor',
    });
  }
  if (v.layout === 'nchw') return v;
  const key = `${v.name}|nchw`;
  const done = state.converted.get(key);
  if (done) return done;
  const keras = convertToKeras(state, v);
  const name = addNode(state, 'Transpose', [keras.name], `${v.name}/nchw`, { perm: { ints: [0, 3, 1, 2] } });
  const out: OnnxValue = { name, shape: v.shape, layout: 'nchw' };
  state.converted.set(key, out);
  return out;
}

/** What an emitter gets: the layer, its input values, and helpers bound to the graph state. */
export interface EmitContext {
  node: GraphNode;
  inputs: OnnxValue[];
  state: OnnxGraphState;
  /** The layer's weight of a role (e.g. `kernel`), or undefined when the layer has none. */
  weight(role: string): WeightEntry | undefined;
  /** The layer's weight of a role; INVALID_MODEL when it is missing. */
  requireWeight(role: string): WeightEntry;
  /** Emit a node; its output is named `<layer>` or `<layer>/<suffix>`. */
  op(opType: string, inputs: string[], attrs?: OnnxAttrs, suffix?: string): string;
  /** Add a weight initializer named `<layer>/<suffix>`. */
  addWeight(suffix: string, dims: number[], values: Float32Array): string;
  /** The first input (every layer has one). */
  input(): OnnxValue;
}

/** Build the emit context of one layer. */
export function createEmitContext(
  state: OnnxGraphState,
  node: GraphNode,
  inputs: OnnxValue[],
  weights: ReadonlyMap<string, WeightEntry>,
): EmitContext {
  const weight = (role: string): WeightEntry | undefined => {
    const name = node.weights[role];
    return name === undefined ? undefined : weights.get(name);
  };
  return {
    node,
    inputs,
    state,
    weight,
    requireWeight: (role) =>
      weight(role) ??
      fail('INVALID_MODEL', {
        expected: `a "${role}" weight`,
        found: 'none in the manifest',
        where: `layer "${node.name}" (${node.className})`,
        hint: 'the weights manifest does not match the topology',
      }),
    op: (opType, ins, attrs, suffix) => addNode(state, opType, ins, suffix ? `${node.name}/${suffix}` : node.name, attrs),
    addWeight: (suffix, dims, values) => addWeight(state, `${node.name}/${suffix}`, dims, values),
    input: () =>
      inputs[0] ??
      fail('INVALID_MODEL', { expected: 'an input', found: 'none', where: `layer "${node.name}"`, hint: 'check the model topology' }),
  };
}
