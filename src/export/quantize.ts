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

/** A tensor quantized to uint8 per slice along its first axis (ONNX DequantizeLinear with `axis` 0). */
export interface Uint8PerChannel {
  values: Uint8Array;
  scales: Float32Array;
  zeroPoints: Uint8Array;
}

/** Quantize each of the `channels` contiguous slices of `data` to uint8 on its own range (zero exact in each). */
export function quantizeUint8PerChannel(data: Float32Array, channels: number): Uint8PerChannel {
  const size = data.length / channels;
  const values = new Uint8Array(data.length);
  const scales = new Float32Array(channels);
  const zeroPoints = new Uint8Array(channels);
  for (let c = 0; c < channels; c++) {
    const q = quantizeUint8(data.subarray(c * size, (c + 1) * size));
    values.set(q.values, c * size);
    scales[c] = q.scale;
    zeroPoints[c] = q.zeroPoint;
  }
  return { values, scales, zeroPoints };
}
