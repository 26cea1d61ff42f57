// Weight quantization for exports: uint8 affine with an exact zero point (ONNX DequantizeLinear form).

/** A uint8-quantized tensor: value ≈ (q - zeroPoint) · scale. */
export interface Uint8Quantized {
  values: Uint8Array;
  scale: number;
  zeroPoint: number;
}

/**
 * Quantize to uint8 over [min(v, 0), max(v, 0)] so that zero is exactly representable (padding and
 * pruned channels stay exactly zero). The scale is rounded to float32, as the file stores it.
 */
export function quantizeUint8(data: Float32Array): Uint8Quantized {
  let lo = 0;
  let hi = 0;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = Math.fround(hi > lo ? (hi - lo) / 255 : 1);
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  const values = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    values[i] = Math.min(255, Math.max(0, Math.round((data[i] as number) / scale) + zeroPoint));
  }
  return { values, scale, zeroPoint };
}

/** The float values a uint8-quantized tensor stands for. */
export function dequantizeUint8(q: Uint8Quantized): Float32Array {
  const out = new Float32Array(q.values.length);
  for (let i = 0; i < out.length; i++) out[i] = ((q.values[i] as number) - q.zeroPoint) * q.scale;
  return out;
}
