// Static evaluation of constant subgraphs: Constant nodes and the Shape/Gather/Unsqueeze/Concat chains exporters emit.
import type { onnx as OnnxTypes } from 'onnx-proto';
import { fail } from '../../core/errors.ts';
import { findAttr, readIntAttr, readIntsAttr, toNumber } from './onnx-file.ts';
import { decodeTensor, type ConstTensor, type SymInt } from './onnx-tensor.ts';
import { BATCH, type KerasValue, type OnnxNode } from './import-context.ts';

/** What an evaluator can ask for: constant inputs, and the ONNX dims of a computed tensor. */
export interface ConstSource {
  constant(tensor: string): ConstTensor | undefined;
  /** ONNX dims of a computed tensor (batch symbolic), converting its producer when needed. */
  dimsOf(tensor: string, user: OnnxNode): SymInt[];
  opset: number;
  where(node: OnnxNode): string;
}

/** The value of a Constant node's attribute, decoded up front (tensors may name external data). */
export async function decodeConstantNode(node: OnnxNode, modelPath: string): Promise<ConstTensor | undefined> {
  const t = findAttr(node, 'value')?.t;
  if (t) return decodeTensor(t as OnnxTypes.ITensorProto, modelPath);
  const f = findAttr(node, 'value_float');
  if (f) return { kind: 'float', dims: [], data: Float32Array.of(f.f ?? 0) };
  const fs = findAttr(node, 'value_floats');
  if (fs) return { kind: 'float', dims: [fs.floats?.length ?? 0], data: Float32Array.from(fs.floats ?? []) };
  const i = findAttr(node, 'value_int');
  if (i) return { kind: 'int', dims: [], data: [toNumber(i.i)] };
  const is = readIntsAttr(node, 'value_ints');
  return is ? { kind: 'int', dims: [is.length], data: is } : undefined;
}

/** ONNX dims of a converted value: [N, C, H, W] for images, [N, C, 1, 1] for squeezed vectors, [N, F] otherwise. */
export function onnxDimsOf(v: KerasValue): SymInt[] {
  if (v.shape.length === 3) {
    const [h, w, c] = v.shape as [number, number, number];
    return [BATCH, c, h, w];
  }
  return v.squeezed ? [BATCH, v.shape[0] as number, 1, 1] : [BATCH, ...v.shape];
}

/** Axes of an Unsqueeze/Squeeze: attribute before opset 13, constant input after. */
function readAxes(src: ConstSource, node: OnnxNode): number[] | undefined {
  if (src.opset < 13) return readIntsAttr(node, 'axes');
  const c = node.input?.[1] ? src.constant(node.input[1]) : undefined;
  return c ? (Array.from(c.data as ArrayLike<SymInt>) as number[]) : undefined;
}

/** A copy of a constant with new dims (same elements). */
function withDims(c: ConstTensor, dims: number[]): ConstTensor {
  return c.kind === 'float' ? { kind: 'float', dims, data: c.data } : { kind: 'int', dims, data: c.data };
}

/** Evaluate one node whose inputs are known; undefined when the op is not a constant op or an input is unknown. */
export function evaluateNode(src: ConstSource, node: OnnxNode): ConstTensor | undefined {
  const ins = (node.input ?? []).map((t) => (t === '' ? undefined : src.constant(t)));
  const a = ins[0];
  switch (node.opType) {
    case 'Shape': {
      const dims = src.dimsOf(node.input?.[0] ?? '', node);
      const rank = dims.length;
      const norm = (v: number): number => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
      const part = dims.slice(norm(readIntAttr(node, 'start', 0)), norm(readIntAttr(node, 'end', rank)));
      return { kind: 'int', dims: [part.length], data: part };
    }
    case 'Identity':
      return a;
    case 'Cast': {
      if (!a) return undefined;
      const to = readIntAttr(node, 'to', 1);
      if (to === 1 || to === 10 || to === 11) return a.kind === 'float' ? a : { kind: 'float', dims: a.dims, data: Float32Array.from(a.data as number[]) };
      return a.kind === 'int' ? a : { kind: 'int', dims: a.dims, data: Array.from(a.data, (v) => Math.trunc(v)) };
    }
    case 'Gather': {
      const idx = ins[1];
      if (!a || !idx || a.dims.length !== 1 || readIntAttr(node, 'axis', 0) !== 0) return undefined;
      const picks = Array.from(idx.data as ArrayLike<SymInt>).map((i) => (typeof i === 'number' ? (i < 0 ? i + (a.dims[0] as number) : i) : -1));
      const data: SymInt[] = picks.map((i) => (a.data as ArrayLike<SymInt>)[i] ?? fail('INVALID_MODEL', { expected: 'Gather indices inside the data', found: `index ${i}`, where: src.where(node), hint: 'the ONNX graph is malformed' }));
      return a.kind === 'float' ? { kind: 'float', dims: idx.dims, data: Float32Array.from(data as number[]) } : { kind: 'int', dims: idx.dims, data };
    }
    case 'Unsqueeze': {
      const axes = readAxes(src, node);
      if (!a || !axes) return undefined;
      const rank = a.dims.length + axes.length;
      const norm = axes.map((x) => (x < 0 ? x + rank : x));
      const dims: number[] = [];
      for (let i = 0, j = 0; i < rank; i++) dims.push(norm.includes(i) ? 1 : (a.dims[j++] as number));
      return withDims(a, dims);
    }
    case 'Squeeze': {
      if (!a) return undefined;
      const axes = (readAxes(src, node) ?? a.dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((x) => (x < 0 ? x + a.dims.length : x));
      return withDims(a, a.dims.filter((_, i) => !axes.includes(i)));
    }
    case 'Reshape': {
      const shape = ins[1];
      if (!a || !shape || shape.data.length === 0) return undefined;
      const target = Array.from(shape.data as ArrayLike<SymInt>);
      if (target.some((d) => typeof d !== 'number')) return undefined;
      const known = (target as number[]).reduce((p, d, i) => p * (d === -1 ? 1 : d === 0 ? (a.dims[i] as number) : d), 1);
      return withDims(a, (target as number[]).map((d, i) => (d === -1 ? a.data.length / known : d === 0 ? (a.dims[i] as number) : d)));
    }
    case 'Concat': {
      if (ins.some((c) => !c) || ins.some((c) => (c as ConstTensor).dims.length > 1)) return undefined;
      const parts = ins as ConstTensor[];
      if (parts.every((p) => p.kind === 'float')) {
        const data = Float32Array.from(parts.flatMap((p) => Array.from(p.data as Float32Array)));
        return { kind: 'float', dims: [data.length], data };
      }
      const data = parts.flatMap((p) => Array.from(p.data as ArrayLike<SymInt>));
      return { kind: 'int', dims: [data.length], data };
    }
    default:
      return undefined;
  }
}

/** Op types evaluated at import when their inputs are constants (or, for Shape, when the shape is known). */
export const CONSTANT_OPS = ['Constant', 'Shape', 'Identity', 'Cast', 'Gather', 'Unsqueeze', 'Squeeze', 'Reshape', 'Concat'] as const;
