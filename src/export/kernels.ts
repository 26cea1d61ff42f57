// Weight rearrangements between Keras (channels-last) and channel-first layouts, plus 'same' padding arithmetic.

/** Keras Conv2D kernel [kh, kw, in, out] → ONNX weight [out, in, kh, kw]. */
export function transposeConvKernel(data: Float32Array, shape: readonly number[]): { dims: number[]; values: Float32Array } {
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        const src = ((y * kw + x) * cin + i) * cout;
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = data[src + o] as number;
      }
    }
  }
  return { dims: [cout, cin, kh, kw], values: out };
}

/**
 * Keras depthwise kernel [kh, kw, C, M] → ONNX grouped-conv weight [C·M, 1, kh, kw]; output channel
 * c·M + m, the order Keras uses too.
 */
export function transposeDepthwiseKernel(data: Float32Array, shape: readonly number[]): { dims: number[]; values: Float32Array } {
  const [kh, kw, c, m] = shape as [number, number, number, number];
  const { values } = transposeConvKernel(data, [kh, kw, 1, c * m]);
  return { dims: [c * m, 1, kh, kw], values };
}

/**
 * Reorder the rows of a Dense kernel [H·W·C, units] that follows a Flatten, from Keras's H·W·C order
 * to the C·H·W order a Flatten of an NCHW tensor produces.
 */
export function reorderFlattenRows(data: Float32Array, units: number, from: readonly number[]): Float32Array {
  const [h, w, c] = from as [number, number, number];
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        const hwc = (y * w + x) * c + ch;
        const chw = (ch * h + y) * w + x;
        out.set(data.subarray(hwc * units, (hwc + 1) * units), chw * units);
      }
    }
  }
  return out;
}

/**
 * Keras/TensorFlow 'same' padding along one axis: total = max((ceil(n/s) - 1)·s + (k - 1)·d + 1 - n, 0),
 * with the odd pixel at the end. Returns [before, after].
 */
export function computeSamePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
