// Decoding and encoding of TF.js weight buffers: float32/int32 and quantized uint8/uint16/float16.
import { fail } from '../core/errors.ts';
import type { WeightDtype, WeightEntry } from '../core/types.ts';

/** One weight spec of a TF.js weights manifest. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: WeightDtype;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; min?: number; scale?: number; original_dtype?: string };
}

/** Largest element count of one weight edge-prune accepts (2^28 floats = 1 GiB). */
export const MAX_WEIGHT_ELEMENTS = 2 ** 28;

/** Bytes per element as stored (after quantization). */
export function storedBytesPerElement(spec: WeightSpec): number {
  const q = spec.quantization?.dtype;
  if (q === 'uint8') return 1;
  if (q === 'uint16' || q === 'float16') return 2;
  return 4;
}

/** Element count of a spec's shape (validated elsewhere). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Half-precision bits to a float. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** Float to half-precision bits (round to nearest even). */
export function floatToHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  let half = (e << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half += 1;
  return sign | half;
}

/** Decode every weight of a manifest from the concatenated bytes of its shards. */
export function decodeWeights(specs: WeightSpec[], bytes: Uint8Array, where: string): WeightEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  return specs.map((spec) => {
    const count = elementCount(spec.shape);
    const size = count * storedBytesPerElement(spec);
    if (offset + size > bytes.byteLength) {
      fail('WEIGHTS_MISMATCH', {
        expected: `${offset + size} bytes of weight data up to "${spec.name}"`,
        found: `${bytes.byteLength} bytes`,
        where,
        hint: 'the weight shards are truncated or belong to another model',
      });
    }
    const data = new Float32Array(count);
    const q = spec.quantization;
    if (q?.dtype === 'uint8' || q?.dtype === 'uint16') {
      const scale = q.scale ?? 1;
      const min = q.min ?? 0;
      for (let i = 0; i < count; i++) {
        const v = q.dtype === 'uint8' ? view.getUint8(offset + i) : view.getUint16(offset + 2 * i, true);
        data[i] = v * scale + min;
      }
    } else if (q?.dtype === 'float16') {
      for (let i = 0; i < count; i++) data[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
    } else if (spec.dtype === 'int32') {
      for (let i = 0; i < count; i++) data[i] = view.getInt32(offset + 4 * i, true);
    } else {
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(offset + 4 * i, true);
    }
    offset += size;
    return { name: spec.name, shape: [...spec.shape], dtype: spec.dtype, data };
  });
}

/** Encode weights as little-endian float32/int32 (the unquantized TF.js layout). */
export function encodeWeights(weights: readonly WeightEntry[]): { specs: WeightSpec[]; bytes: Uint8Array } {
  const total = weights.reduce((n, w) => n + w.data.length * 4, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const w of weights) {
    if (w.dtype === 'int32') for (let i = 0; i < w.data.length; i++) view.setInt32(offset + 4 * i, w.data[i] as number, true);
    else bytes.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), offset);
    offset += w.data.length * 4;
  }
  return { specs: weights.map((w) => ({ name: w.name, shape: [...w.shape], dtype: w.dtype })), bytes };
}
