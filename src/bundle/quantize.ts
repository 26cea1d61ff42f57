// Weight storage encodings for writing: float32, float16, and uint8/uint16 affine quantization (TF.js manifest form).
import type { ModelBundle, WeightEntry } from '../core/types.ts';
import { encodingOf, type EncodingSpec } from './encoding.ts';
import { decodeWeights, encodeWeights, floatToHalf, type WeightSpec } from './weights-codec.ts';

/** How weights are stored on disk (one encoding for every weight). */
export type StorageDtype = 'float32' | 'float16' | 'uint8';

/** Affine parameters for one tensor over `levels` steps: q = round((v - min) / scale), as tfjs-converter quantizes. */
function affineParams(data: Float32Array, levels: number): { min: number; scale: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) return { min: 0, scale: 1 };
  const scale = max > min ? (max - min) / levels : 1;
  return { min, scale };
}

/** Encode one float tensor under one encoding. */
function encodeOne(w: WeightEntry, encoding: 'float16' | 'uint16' | 'uint8'): { bytes: Uint8Array; spec: WeightSpec } {
  const n = w.data.length;
  if (encoding === 'float16') {
    const out = new Uint8Array(n * 2);
    const view = new DataView(out.buffer);
    for (let i = 0; i < n; i++) view.setUint16(2 * i, floatToHalf(w.data[i] as number), true);
    return { bytes: out, spec: { name: w.name, shape: [...w.shape], dtype: 'float32', quantization: { dtype: 'float16' } } };
  }
  const levels = encoding === 'uint8' ? 255 : 65535;
  const { min, scale } = affineParams(w.data, levels);
  const out = new Uint8Array(n * (encoding === 'uint8' ? 1 : 2));
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const q = Math.max(0, Math.min(levels, Math.round(((w.data[i] as number) - min) / scale)));
    if (encoding === 'uint8') out[i] = q;
    else view.setUint16(2 * i, q, true);
  }
  return { bytes: out, spec: { name: w.name, shape: [...w.shape], dtype: 'float32', quantization: { dtype: encoding, min, scale } } };
}

/**
 * Encode weights for storage, each under its encoding in `spec` (one encoding for all, or one per
 * weight name). int32 weights are never quantized; pruned tensors get fresh min/scale of the same scheme.
 */
export function encodeWeightsAs(weights: readonly WeightEntry[], spec: EncodingSpec): { specs: WeightSpec[]; bytes: Uint8Array } {
  if (spec === 'float32') return encodeWeights(weights);
  const parts: Uint8Array[] = [];
  const specs: WeightSpec[] = [];
  for (const w of weights) {
    const encoding = encodingOf(spec, w);
    if (encoding === 'float32') {
      const enc = encodeWeights([w]);
      parts.push(enc.bytes);
      specs.push(...enc.specs);
      continue;
    }
    const enc = encodeOne(w, encoding);
    parts.push(enc.bytes);
    specs.push(enc.spec);
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.byteLength;
  }
  return { specs, bytes };
}

/**
 * The bundle with its weights stored in `encoding` and read back (float32 values that carry the
 * encoding's rounding): what a model written in that encoding computes after its runtime dequantizes it.
 */
export function roundTripWeights(bundle: ModelBundle, encoding: StorageDtype): ModelBundle {
  if (encoding === 'float32') return bundle;
  const { specs, bytes } = encodeWeightsAs(bundle.weights, encoding);
  return { ...bundle, weights: decodeWeights(specs, bytes, `weights round-tripped through ${encoding}`) };
}
