// How an ONNX file stores its weights: float32 or float16 initializers (writers keep it), and which external data files hold them.
import type { onnx as OnnxTypes } from 'onnx-proto';
import type { WeightEncoding } from '../../bundle/encoding.ts';
import { toNumber } from './onnx-file.ts';

/** ONNX TensorProto element types of float weights. */
const FLOAT = 1, FLOAT16 = 10, DOUBLE = 11;

/**
 * The storage of most float weight elements among the initializers and Constant nodes: `float16` when
 * float16 holds the majority (a `keep_io_types` float16 conversion stores every weight as float16 with
 * a Cast back), else `float32` (float64 weights are written as float32). Integer tensors (shapes, int8
 * QDQ weights) are not counted: DequantizeLinear is not imported, so a QDQ-quantized file fails earlier.
 */
export function onnxWeightEncoding(graph: OnnxTypes.IGraphProto): WeightEncoding {
  const tensors = [...(graph.initializer ?? []), ...(graph.node ?? []).filter((n) => n.opType === 'Constant').flatMap((n) => (n.attribute ?? []).map((a) => a.t).filter((t): t is OnnxTypes.ITensorProto => !!t))];
  let half = 0;
  let full = 0;
  for (const t of tensors) {
    const count = (t.dims ?? []).reduce<number>((a, d) => a * toNumber(d), 1);
    if (t.dataType === FLOAT16) half += count;
    else if (t.dataType === FLOAT || t.dataType === DOUBLE) full += count;
  }
  return half > full ? 'float16' : 'float32';
}

/** The external data files the initializers name (`location`, relative to the model file), each once. */
export function externalDataFiles(graph: OnnxTypes.IGraphProto): string[] {
  const files = new Set<string>();
  for (const t of graph.initializer ?? []) {
    if (t.dataLocation !== 1) continue;
    const location = (t.externalData ?? []).find((e) => e.key === 'location')?.value;
    if (location) files.add(location);
  }
  return [...files];
}
