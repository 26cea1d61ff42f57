// Decodes ONNX TensorProtos (float32/float16/float64 and integer types, inline or external data) into plain arrays.
import { open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { fail } from '../../core/errors.ts';
import { resolveInside, shownPath } from '../../bundle/safe-path.ts';
import { toNumber } from './onnx-file.ts';

/** A dimension or integer value known statically: a number, or a symbolic name (e.g. the batch axis). */
export type SymInt = number | string;

/** A constant tensor: float values (weights) or integers (shapes, axes, pads), possibly symbolic. */
export type ConstTensor =
  | { kind: 'float'; dims: number[]; data: Float32Array }
  | { kind: 'int'; dims: number[]; data: SymInt[] };

/** ONNX element types the importer reads. */
const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7, FLOAT16 = 10, DOUBLE = 11;

/** Bytes per element of each readable type. */
const WIDTH: Record<number, number> = { [FLOAT]: 4, [UINT8]: 1, [INT8]: 1, [INT32]: 4, [INT64]: 8, [FLOAT16]: 2, [DOUBLE]: 8 };

/** Largest tensor the importer decodes (2^28 elements = 1 GiB of float32). */
const MAX_ELEMENTS = 2 ** 28;

/** IEEE half (as uint16 bits) to a JS number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** Read the external data bytes of a tensor from a file inside the model's folder. */
async function readExternal(t: OnnxTypes.ITensorProto, modelPath: string, bytes: number): Promise<Uint8Array> {
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location') ?? '';
  const where = `${modelPath}: tensor "${t.name ?? ''}"`;
  const real = await resolveInside(dirname(modelPath), location, modelPath);
  if (!real) fail('MISSING_WEIGHTS', { expected: `external data file "${shownPath(location)}"`, found: 'no such file', where, hint: 'copy the external data files that were saved with the model next to it' });
  const offset = Number(entries.get('offset') ?? '0');
  const length = entries.has('length') ? Number(entries.get('length')) : bytes;
  const info = await stat(real);
  if (!info.isFile()) fail('MISSING_WEIGHTS', { expected: `external data file "${shownPath(location)}" as a regular file`, found: info.isDirectory() ? 'a folder' : 'a special file (FIFO, socket or device)', where, hint: 'external data must be regular files beside the model' });
  const size = info.size;
  if (!Number.isSafeInteger(offset) || offset < 0 || length !== bytes || offset + length > size) {
    fail('WEIGHTS_MISMATCH', { expected: `${bytes} bytes at offset ${entries.get('offset') ?? 0} of "${shownPath(location)}" (from the tensor's shape)`, found: `length ${entries.get('length') ?? 'unset'}, file of ${size} bytes`, where, hint: 'the external data file does not belong to this model; re-save it with the model' });
  }
  const out = new Uint8Array(length);
  const handle = await open(real, 'r');
  try {
    await handle.read(out, 0, length, offset);
  } finally {
    await handle.close();
  }
  return out;
}

/** Decode elements from little-endian raw bytes. */
function decodeRaw(type: number, raw: Uint8Array, count: number): number[] | Float32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const floats = type === FLOAT || type === FLOAT16 || type === DOUBLE;
  const out: number[] | Float32Array = floats ? new Float32Array(count) : new Array<number>(count);
  for (let i = 0; i < count; i++) {
    switch (type) {
      case FLOAT: out[i] = view.getFloat32(4 * i, true); break;
      case FLOAT16: out[i] = halfToFloat(view.getUint16(2 * i, true)); break;
      case DOUBLE: out[i] = view.getFloat64(8 * i, true); break;
      case INT64: out[i] = Number(view.getBigInt64(8 * i, true)); break;
      case INT32: out[i] = view.getInt32(4 * i, true); break;
      case INT8: out[i] = view.getInt8(i); break;
      default: out[i] = view.getUint8(i);
    }
  }
  return out;
}

/** Decode a TensorProto (inline raw data, typed fields, or external data) into a constant. */
export async function decodeTensor(t: OnnxTypes.ITensorProto, modelPath: string): Promise<ConstTensor> {
  const dims = (t.dims ?? []).map((d) => toNumber(d));
  const type = t.dataType ?? 0;
  const where = `${modelPath}: tensor "${t.name ?? ''}"`;
  const width = WIDTH[type];
  if (!width) {
    fail('UNSUPPORTED_OP', { expected: 'a float32, float16, float64 or integer tensor', found: `element type ${type}`, where, hint: 'quantized or string tensors cannot be imported; export the float model' });
  }
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) fail('INVALID_MODEL', { expected: 'non-negative tensor dims', found: JSON.stringify(dims), where, hint: 'the file is corrupt; re-export it' });
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_ELEMENTS) fail('INVALID_MODEL', { expected: `at most ${MAX_ELEMENTS} elements`, found: `${count}`, where, hint: 'the tensor is too large to import' });
  let values: number[] | Float32Array;
  if (t.dataLocation === 1) {
    values = decodeRaw(type, await readExternal(t, modelPath, count * width), count);
  } else if (t.rawData && t.rawData.byteLength > 0) {
    if (t.rawData.byteLength !== count * width) fail('WEIGHTS_MISMATCH', { expected: `${count * width} bytes for dims [${dims.join(', ')}]`, found: `${t.rawData.byteLength} bytes`, where, hint: 'the file is corrupt; re-export it' });
    values = decodeRaw(type, t.rawData, count);
  } else {
    const typed: (number | { toNumber(): number })[] =
      type === FLOAT ? (t.floatData ?? []) : type === DOUBLE ? (t.doubleData ?? []) : type === INT64 ? (t.int64Data ?? []) : (t.int32Data ?? []);
    if (typed.length !== count) fail('WEIGHTS_MISMATCH', { expected: `${count} values for dims [${dims.join(', ')}]`, found: `${typed.length}`, where, hint: 'the file is corrupt; re-export it' });
    const nums = typed.map((v) => toNumber(v));
    values = type === FLOAT16 ? Float32Array.from(nums, halfToFloat) : type === FLOAT || type === DOUBLE ? Float32Array.from(nums) : nums;
  }
  return values instanceof Float32Array ? { kind: 'float', dims, data: values } : { kind: 'int', dims, data: values };
}

/** Elements of a constant as numbers; INVALID_MODEL when a value is symbolic. */
export function readNumbers(c: ConstTensor, where: string): number[] {
  const out = Array.from(c.data as ArrayLike<SymInt>);
  if (out.some((v) => typeof v !== 'number')) fail('UNSUPPORTED_OP', { expected: 'values known when the model is imported', found: `[${out.join(', ')}]`, where, hint: 'the value depends on the input size; export with a fixed input size except the batch axis' });
  return out as number[];
}

/** Float values of a constant (integers converted). */
export function readFloats(c: ConstTensor, where: string): Float32Array {
  return c.kind === 'float' ? c.data : Float32Array.from(readNumbers(c, where));
}
