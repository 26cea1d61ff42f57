// Weight storage encodings for writing: float32, float16 and uint8 affine quantization (TF.js manifest form).
import type { WeightEntry } from '../core/types.ts';
import { encodeWeights, floatToHalf, type WeightSpec } from './weights-codec.ts';

/** How weights are stored on disk. */
export type StorageDtype = 'float32' | 'float16' | 'uint8';

/** uint8 affine parameters for one tensor: q = round((v - min) / scale). */
function uint8Params(data: Float32Array): { min: number; scale: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) return { min: 0, scale: 1 };
  const scale = max > min ? (max - min) / 255 : 1;
  return { min, scale };
}

/** Encode weights for storage; int32 weights are never quantized. */
export function encodeWeightsAs(weights: readonly WeightEntry[], dtype: StorageDtype): { specs: WeightSpec[]; bytes: Uint8Array } {
  if (dtype === 'float32') return encodeWeights(weights);
  const parts: Uint8Array[] = [];
  const specs: WeightSpec[] = [];
  for (const w of weights) {
    if (w.dtype === 'int32') {
      const enc = encodeWeights([w]);
      parts.push(enc.bytes);
      specs.push(...enc.specs);
      continue;
    }
    if (dtype === 'float16') {
      const out = new Uint8Array(w.data.length * 2);
      const view = new DataView(out.buffer);
      for (let i = 0; i < w.data.length; i++) view.setUint16(2 * i, floatToHalf(w.data[i] as number), true);
      parts.push(out);
      specs.push({ name: w.name, shape: [...w.shape], dtype: 'float32', quantization: { dtype: 'float16' } });
    } else {
      const { min, scale } = uint8Params(w.data);
      const out = new Uint8Array(w.data.length);
      for (let i = 0; i < w.data.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(((w.data[i] as number) - min) / scale)));
      parts.push(out);
      specs.push({ name: w.name, shape: [...w.shape], dtype: 'float32', quantization: { dtype: 'uint8', min, scale } });
    }
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
