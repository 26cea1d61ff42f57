// ONNX protobuf pieces: tensors (float32, float16, uint8, int8, int32, int64), attributes and value infos, built with onnx-proto.
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { floatToHalf } from '../bundle/weights-codec.ts';

const { onnx } = onnxProto;

/** ONNX TensorProto element types edge-prune writes. */
export const ONNX_DTYPE = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, float16: 10 } as const;

/** One node attribute, typed explicitly so the encoding is never guessed from the value. */
export type OnnxAttr =
  | { int: number }
  | { ints: number[] }
  | { float: number }
  | { floats: number[] }
  | { string: string };

/** Attribute values by name; printed and encoded in sorted name order. */
export type OnnxAttrs = Record<string, OnnxAttr>;

/** Little-endian bytes of a float32 array. */
function floatBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i] as number, true);
  return out;
}

/** A float32 initializer stored as raw little-endian bytes. */
export function createFloatTensor(name: string, dims: number[], values: Float32Array): OnnxTypes.ITensorProto {
  return { name, dims, dataType: ONNX_DTYPE.float, rawData: floatBytes(values) };
}

/** A float16 initializer (round to nearest even) stored as raw little-endian bytes. */
export function createHalfTensor(name: string, dims: number[], values: Float32Array): OnnxTypes.ITensorProto {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(2 * i, floatToHalf(values[i] as number), true);
  return { name, dims, dataType: ONNX_DTYPE.float16, rawData: out };
}

/** A uint8 initializer. */
export function createUint8Tensor(name: string, dims: number[], values: Uint8Array): OnnxTypes.ITensorProto {
  return { name, dims, dataType: ONNX_DTYPE.uint8, rawData: Uint8Array.from(values) };
}

/** An int8 initializer (QDQ weights). */
export function createInt8Tensor(name: string, dims: number[], values: Int8Array): OnnxTypes.ITensorProto {
  return { name, dims, dataType: ONNX_DTYPE.int8, rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
}

/** An int32 initializer (QDQ biases). */
export function createInt32Tensor(name: string, dims: number[], values: Int32Array): OnnxTypes.ITensorProto {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setInt32(4 * i, v, true));
  return { name, dims, dataType: ONNX_DTYPE.int32, rawData: out };
}

/** The float32 values of a raw float initializer, or undefined when it is stored otherwise. */
export function readFloatTensor(t: OnnxTypes.ITensorProto): Float32Array | undefined {
  if (t.dataType !== ONNX_DTYPE.float || !t.rawData) return undefined;
  const raw = t.rawData;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Float32Array.from({ length: raw.byteLength / 4 }, (_, i) => view.getFloat32(4 * i, true));
}

/** An int64 initializer (shapes, pads). */
export function createInt64Tensor(name: string, dims: number[], values: readonly number[]): OnnxTypes.ITensorProto {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return { name, dims, dataType: ONNX_DTYPE.int64, rawData: out };
}

/** Encode attributes in sorted name order. */
export function encodeAttrs(attrs: OnnxAttrs): OnnxTypes.IAttributeProto[] {
  const T = onnx.AttributeProto.AttributeType;
  return Object.keys(attrs)
    .sort()
    .map((name) => {
      const a = attrs[name] as OnnxAttr;
      if ('int' in a) return { name, type: T.INT, i: a.int };
      if ('ints' in a) return { name, type: T.INTS, ints: a.ints };
      if ('float' in a) return { name, type: T.FLOAT, f: a.float };
      if ('floats' in a) return { name, type: T.FLOATS, floats: a.floats };
      return { name, type: T.STRING, s: new TextEncoder().encode(a.string) };
    });
}

/** A float tensor value info with a symbolic batch dimension first. */
export function createValueInfo(name: string, dims: (number | string)[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE.float,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/** Serialize a model to bytes. */
export function encodeModel(model: OnnxTypes.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Parse model bytes (for printing and tests). */
export function decodeModel(bytes: Uint8Array): OnnxTypes.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
