// The state of one ONNX import: constants, producers and consumers, and the tensors converted so far (on demand).
import type { onnx as OnnxTypes } from 'onnx-proto';
import { fail } from '../../core/errors.ts';
import type { JsonObject } from '../../core/types.ts';
import { type KerasBuilder, type BuiltWeight, type LayerRecord } from '../keras-builder.ts';
import type { OnnxFile } from './onnx-file.ts';
import type { ConstTensor } from './onnx-tensor.ts';

/** ONNX node type. */
export type OnnxNode = OnnxTypes.INodeProto;

/** The symbolic size of the batch axis in statically evaluated shapes. */
export const BATCH = 'N';

/**
 * An ONNX tensor computed from the model input, as a Keras layer output (channels-last, no batch).
 * ONNX [N, C, H, W] is Keras [H, W, C]; ONNX [N, F] is Keras [F].
 */
export interface KerasValue {
  layer: LayerRecord;
  shape: number[];
  /** ONNX sees this Keras [C] vector as [N, C, 1, 1] (a reduction that kept its dims). */
  squeezed?: boolean;
  /** A vector flattened from an NCHW image: ONNX order C·H·W, Keras order H·W·C; the image [H, W, C]. */
  flatFrom?: number[];
  /** Every element is ≥ 0 (after ReLU, ReLU6, sigmoids): zero padding equals -∞ padding for max pooling. */
  nonNegative?: boolean;
}

/** Converts one ONNX node (already matched to its op type) into Keras layers; returns the value of output 0. */
export type OpConverter = (ctx: ImportContext, node: OnnxNode) => KerasValue;

/** Everything a converter can use. */
export interface ImportContext {
  file: OnnxFile;
  opset: number;
  builder: KerasBuilder;
  /** Value of a tensor computed from the input, converting its producer first when needed. */
  value(tensor: string, user: OnnxNode): KerasValue;
  /** Record the value of another output of a node being converted (Split's parts). */
  define(tensor: string, value: KerasValue): void;
  /** A tensor's constant value (initializer, Constant node, or folded shape arithmetic), or undefined. */
  constant(tensor: string): ConstTensor | undefined;
  /** The node producing a tensor, or undefined for inputs and initializers. */
  producer(tensor: string): OnnxNode | undefined;
  /** Nodes reading a tensor (graph outputs count as one extra reader). */
  readers(tensor: string): number;
  /** Add a layer fed by values; the layer is named after the node. */
  layer(node: OnnxNode, className: string, config: JsonObject, inputs: KerasValue[], weights?: BuiltWeight[], suffix?: string): LayerRecord;
  /** A Keras image [H, W, C] for a value, adding a Reshape to [1, 1, C] for a squeezed vector. */
  image(v: KerasValue, node: OnnxNode): KerasValue;
  /** `node "name" (Op, opset N)` for messages. */
  where(node: OnnxNode): string;
}

/** The display name of a node (its name, else its first output). */
export function nodeName(node: OnnxNode): string {
  return node.name || node.output?.[0] || node.opType || 'node';
}

/** Describe a node for error messages. */
export function describeNode(node: OnnxNode, opset: number): string {
  return `node "${nodeName(node)}" (${node.opType ?? '?'}, opset ${opset})`;
}

/** The constant input `index` of a node, or a typed error saying it must be a constant. */
export function requireConstInput(ctx: ImportContext, node: OnnxNode, index: number, what: string): ConstTensor {
  const name = node.input?.[index] ?? '';
  const c = name === '' ? undefined : ctx.constant(name);
  if (!c && name !== '' && !ctx.producer(name) && ctx.file.graph.input?.every((i) => i.name !== name)) {
    fail('MISSING_WEIGHTS', { expected: `${what} in an initializer or Constant node named "${name}"`, found: 'no such tensor in the file', where: ctx.where(node), hint: 'the ONNX file is incomplete (a missing initializer); re-export it with export_params=True' });
  }
  if (!c) {
    fail('UNSUPPORTED_OP', {
      expected: `${what} as a constant (initializer or Constant node)`,
      found: name === '' ? 'no such input' : `tensor "${name}" computed at run time`,
      where: ctx.where(node),
      hint: 'edge-prune imports models whose weights are constants; export with export_params=True',
    });
  }
  return c;
}

/** An optional constant input (empty name or absent → undefined). */
export function optionalConstInput(ctx: ImportContext, node: OnnxNode, index: number, what: string): ConstTensor | undefined {
  const name = node.input?.[index];
  return name ? requireConstInput(ctx, node, index, what) : undefined;
}

/** The value of input `index` (computed from the model input). */
export function inputValue(ctx: ImportContext, node: OnnxNode, index = 0): KerasValue {
  const name = node.input?.[index];
  if (!name) fail('INVALID_MODEL', { expected: `input ${index}`, found: 'none', where: ctx.where(node), hint: 'the ONNX graph is malformed' });
  return ctx.value(name, node);
}

/** A value derived from another by an elementwise layer (same shape and flags). */
export function derive(v: KerasValue, layer: LayerRecord, nonNegative = false): KerasValue {
  const out: KerasValue = { layer, shape: layer.outputShape };
  if (v.squeezed) out.squeezed = true;
  if (v.flatFrom) out.flatFrom = v.flatFrom;
  if (nonNegative) out.nonNegative = true;
  return out;
}
