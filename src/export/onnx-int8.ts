// Static int8 quantization of a float ONNX graph in QDQ form: per-channel symmetric int8 weights, per-tensor uint8 activations.
import type { onnx as OnnxTypes } from 'onnx-proto';
import { fail } from '../core/errors.ts';
import { createFloatTensor, createInt32Tensor, createInt8Tensor, createUint8Tensor, encodeAttrs, readFloatTensor } from './onnx-tensors.ts';

/** The calibrated range of one activation tensor. */
export interface ActivationRange {
  min: number;
  max: number;
}

/**
 * Largest |int8| weight: 7 bits (onnxruntime's `reduce_range`). On x86 without VNNI the u8·s8 kernels
 * add pairs of products in saturating int16 (vpmaddubsw), and full-range 8-bit weights overflow it.
 */
const WEIGHT_LEVELS = 63;

/** Ops whose float output onnxruntime fuses away when a QuantizeLinear follows (ReluQuantFusion, ClipQuantFusion). */
const FUSED_INTO_Q = new Set(['Relu', 'Clip']);

/**
 * Ops that only move or select values: their output shares the input's quantization parameters, so
 * onnxruntime drops the DQ → op → Q pair around them and runs them on uint8 (MaxPool in particular).
 */
const SHARES_INPUT_PARAMS = new Set(['MaxPool', 'Reshape', 'Flatten', 'Identity', 'Transpose', 'Squeeze', 'Unsqueeze', 'Pad']);

/** Ranges with every SHARES_INPUT_PARAMS output given its (first) input's range, in graph order. */
function shareRanges(graph: OnnxTypes.IGraphProto, ranges: ReadonlyMap<string, ActivationRange>): Map<string, ActivationRange> {
  const out = new Map(ranges);
  for (const node of graph.node ?? []) {
    const from = out.get(node.input?.[0] ?? '');
    if (SHARES_INPUT_PARAMS.has(node.opType as string) && from) for (const o of node.output ?? []) out.set(o, from);
  }
  return out;
}

/**
 * ReduceMean over H and W of an NCHW tensor (keepdims 0), as the float export writes global average
 * pooling, becomes GlobalAveragePool + Flatten, which onnxruntime runs on uint8 (QLinearGlobalAveragePool).
 */
function globalPools(nodes: readonly OnnxTypes.INodeProto[]): OnnxTypes.INodeProto[] {
  return nodes.flatMap((node) => {
    const axes = node.attribute?.find((a) => a.name === 'axes')?.ints?.map(Number);
    const keep = Number(node.attribute?.find((a) => a.name === 'keepdims')?.i ?? 1);
    if (node.opType !== 'ReduceMean' || axes?.join() !== '2,3' || keep !== 0) return [node];
    const pooled = `${node.output?.[0] ?? ''}/pool`;
    return [
      { name: pooled, opType: 'GlobalAveragePool', input: [...(node.input ?? [])], output: [pooled] },
      { name: node.name ?? '', opType: 'Flatten', input: [pooled], output: [...(node.output ?? [])], attribute: encodeAttrs({ axis: { int: 1 } }) },
    ];
  });
}

/** Ops whose weight input (index 1) is quantized per channel, with the channel axis of that weight. */
function weightAxis(node: OnnxTypes.INodeProto): number | undefined {
  if (node.opType === 'Conv') return 0;
  if (node.opType === 'MatMul') return 1;
  if (node.opType === 'Gemm') {
    const transB = node.attribute?.find((a) => a.name === 'transB')?.i;
    return Number(transB ?? 0) === 1 ? 0 : 1;
  }
  return undefined;
}

/** Every activation tensor of a graph: its inputs and every node output. */
export function activationTensors(model: OnnxTypes.IModelProto): string[] {
  const graph = model.graph as OnnxTypes.IGraphProto;
  const inits = new Set((graph.initializer ?? []).map((t) => t.name as string));
  const names = (graph.input ?? []).map((i) => i.name as string).filter((n) => !inits.has(n));
  for (const node of graph.node ?? []) for (const o of node.output ?? []) names.push(o);
  return names;
}

/** A copy of the model with every activation tensor as a graph output (calibration reads them all in one run). */
export function withActivationOutputs(model: OnnxTypes.IModelProto): OnnxTypes.IModelProto {
  const graph = model.graph as OnnxTypes.IGraphProto;
  const existing = new Set((graph.output ?? []).map((o) => o.name as string));
  const extra = activationTensors(model).filter((n) => !existing.has(n)).map((name) => ({ name, type: { tensorType: { elemType: 1 } } }));
  return { ...model, graph: { ...graph, output: [...(graph.output ?? []), ...extra] } };
}

/** uint8 asymmetric parameters of a range (zero exactly representable). */
function activationParams(r: ActivationRange): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, r.min);
  const hi = Math.max(0, r.max);
  const scale = Math.fround(hi > lo ? (hi - lo) / 255 : 1);
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/** Per-channel symmetric int8 quantization of a weight along `axis` (scale = max|w| / 63, 7 bits; zero point 0). */
function quantizeWeight(values: Float32Array, dims: number[], axis: number): { q: Int8Array; scales: Float32Array } {
  const channels = dims[axis] as number;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number): number => Math.floor(i / inner) % channels;
  const maxAbs = new Float32Array(channels);
  values.forEach((v, i) => (maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)] as number, Math.abs(v))));
  const scales = maxAbs.map((m) => Math.fround(m > 0 ? m / WEIGHT_LEVELS : 1));
  const q = new Int8Array(values.length);
  values.forEach((v, i) => (q[i] = Math.max(-WEIGHT_LEVELS, Math.min(WEIGHT_LEVELS, Math.round(v / (scales[channelOf(i)] as number))))));
  return { q, scales };
}

/**
 * Rewrite a float graph into QDQ form: QuantizeLinear → DequantizeLinear on every activation that feeds
 * a node (not on graph outputs, on inputs of Softmax, or on tensors read only by Relu/Clip, which
 * onnxruntime folds into the following Q; MaxPool, Reshape and the like share their input's parameters), int8 per-channel weights and int32 biases (scale
 * s_input · s_weight) behind DequantizeLinear for Conv, Gemm and MatMul. onnxruntime then fuses
 * DQ → op → Q into its integer kernels (QLinearConv, QGemm, QLinearAdd, ...).
 */
export function quantizeModelInt8(model: OnnxTypes.IModelProto, calibrated: ReadonlyMap<string, ActivationRange>): OnnxTypes.IModelProto {
  const graph = { ...(model.graph as OnnxTypes.IGraphProto) };
  graph.node = globalPools(graph.node ?? []);
  const pooled = new Map(calibrated);
  for (const node of graph.node) if (node.opType === 'GlobalAveragePool') pooled.set(node.output?.[0] ?? '', calibrated.get(`${node.output?.[0]}`.replace(/\/pool$/, '')) as ActivationRange);
  const ranges = shareRanges(graph, pooled);
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name as string, t]));
  const outputs = new Set((graph.output ?? []).map((o) => o.name as string));
  const consumers = new Map<string, OnnxTypes.INodeProto[]>();
  for (const node of graph.node ?? []) for (const i of node.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), node]);
  const nodes: OnnxTypes.INodeProto[] = [];
  const newInits: OnnxTypes.ITensorProto[] = [];
  const rename = new Map<string, string>();
  const scales = new Map<string, number>();
  const quantize = (name: string): void => {
    const readers = consumers.get(name) ?? [];
    if (outputs.has(name) || readers.length === 0 || readers.every((n) => FUSED_INTO_Q.has(n.opType as string)) || readers.some((n) => n.opType === 'Softmax')) return;
    const range = ranges.get(name);
    if (!range) fail('INVALID_MODEL', { expected: `a calibrated range for tensor "${name}"`, found: 'none', where: 'int8 quantization', hint: 'calibration did not see this tensor; report the model' });
    const { scale, zeroPoint } = activationParams(range);
    const s = `${name}/q_scale`;
    const z = `${name}/q_zero_point`;
    newInits.push(createFloatTensor(s, [], Float32Array.of(scale)), createUint8Tensor(z, [], Uint8Array.of(zeroPoint)));
    nodes.push({ name: `${name}/QuantizeLinear`, opType: 'QuantizeLinear', input: [name, s, z], output: [`${name}/q`] });
    nodes.push({ name: `${name}/DequantizeLinear`, opType: 'DequantizeLinear', input: [`${name}/q`, s, z], output: [`${name}/dq`] });
    rename.set(name, `${name}/dq`);
    scales.set(name, scale);
  };
  for (const input of graph.input ?? []) if (!inits.has(input.name as string)) quantize(input.name as string);
  for (const node of graph.node ?? []) {
    const axis = weightAxis(node);
    const inputs = [...(node.input ?? [])];
    const weight = axis === undefined ? undefined : inits.get(inputs[1] ?? '');
    const values = weight ? readFloatTensor(weight) : undefined;
    if (axis !== undefined && weight && values) {
      const dims = (weight.dims ?? []).map(Number);
      const { q, scales: ws } = quantizeWeight(values, dims, axis);
      const name = weight.name as string;
      newInits.push(createInt8Tensor(`${name}/int8`, dims, q), createFloatTensor(`${name}/w_scale`, [ws.length], ws), createInt8Tensor(`${name}/w_zero_point`, [ws.length], new Int8Array(ws.length)));
      nodes.push({ name: `${name}/DequantizeLinear`, opType: 'DequantizeLinear', input: [`${name}/int8`, `${name}/w_scale`, `${name}/w_zero_point`], output: [`${name}/dq`], attribute: encodeAttrs({ axis: { int: axis } }) });
      inputs[1] = `${name}/dq`;
      const inputScale = scales.get(inputs[0] ?? '');
      const bias = node.opType !== 'MatMul' ? inits.get(inputs[2] ?? '') : undefined;
      const biasValues = bias ? readFloatTensor(bias) : undefined;
      if (bias && biasValues && inputScale !== undefined && biasValues.length === ws.length) {
        const bs = ws.map((w) => Math.fround(w * inputScale));
        const bq = Int32Array.from(biasValues, (v, c) => Math.round(v / (bs[c] as number)));
        const b = bias.name as string;
        newInits.push(createInt32Tensor(`${b}/int32`, [bq.length], bq), createFloatTensor(`${b}/b_scale`, [bs.length], bs), createInt32Tensor(`${b}/b_zero_point`, [bs.length], new Int32Array(bs.length)));
        nodes.push({ name: `${b}/DequantizeLinear`, opType: 'DequantizeLinear', input: [`${b}/int32`, `${b}/b_scale`, `${b}/b_zero_point`], output: [`${b}/dq`], attribute: encodeAttrs({ axis: { int: 0 } }) });
        inputs[2] = `${b}/dq`;
      }
    }
    nodes.push({ ...node, input: inputs.map((i) => rename.get(i) ?? i) });
    for (const o of node.output ?? []) quantize(o);
  }
  const used = new Set(nodes.flatMap((n) => n.input ?? []));
  const initializer = [...(graph.initializer ?? []).filter((t) => used.has(t.name as string)), ...newInits];
  return { ...model, graph: { ...graph, node: nodes, initializer } };
}
