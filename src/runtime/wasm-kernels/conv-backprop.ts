// Conv2D gradients for the wasm backend, built from its fast XNNPACK conv2d instead of naive loops.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, Tensor, Tensor4D, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { makeOutputF32, viewF32 } from './heap.ts';

type Quad = [number, number, number, number];
type Explicit = tf.backend_util.ExplicitPadding;

/** Attributes shared by the conv backprop kernels. */
interface BackpropAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | Explicit;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape?: Quad;
  filterShape?: Quad;
}

type Args = { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs?: NamedAttrMap };

/**
 * Returns a kernel input as a Tensor so tf ops accept it. Inputs normally are Tensors already; a bare
 * TensorInfo gets a new reference (incRef) so disposing the wrapper never frees the caller's data.
 */
export function asTensor(info: TensorInfo): Tensor {
  if (info instanceof tf.Tensor) return info;
  tf.backend().incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** Filter [Kh,Kw,A,B] → flipped in space; with swap the last two axes are exchanged ([Kh,Kw,B,A]). One pass on the heap. */
export function flipFilter(backend: BackendWasm, filter: TensorInfo, swap: boolean): Tensor4D {
  const [kh, kw, a, b] = filter.shape as Quad;
  const out = makeOutputF32(backend, swap ? [kh, kw, b, a] : [kh, kw, a, b]);
  const dst = viewF32(backend, out);
  const src = viewF32(backend, filter);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const s0 = ((kh - 1 - i) * kw + (kw - 1 - j)) * a * b;
      const d0 = (i * kw + j) * a * b;
      if (!swap) {
        dst.set(src.subarray(s0, s0 + a * b), d0);
        continue;
      }
      for (let p = 0; p < a; p++) {
        for (let q = 0; q < b; q++) dst[d0 + q * a + p] = src[s0 + p * b + q]!;
      }
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out) as Tensor4D;
}

/**
 * The input gradient as a stride-1 correlation: spreads dy by the strides (zeros between rows and
 * columns) and returns it with the explicit padding that yields [N,H,W,·] from a 'valid' window.
 */
export function spreadForInputGrad(dy: Tensor4D, info: tf.backend_util.Conv2DInfo): { d: Tensor4D; pad: Explicit } {
  const [n, ho, wo, c] = dy.shape;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  let d: Tensor4D = dy;
  if (sh > 1 || sw > 1) {
    const spread = tf.pad(tf.reshape(dy, [n, ho, 1, wo, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    d = tf.slice(tf.reshape(spread, [n, ho * sh, wo * sw, c]) as Tensor4D, [0, 0, 0, 0], [n, (ho - 1) * sh + 1, (wo - 1) * sw + 1, c]);
  }
  let top = info.effectiveFilterHeight - 1 - info.padInfo.top;
  let left = info.effectiveFilterWidth - 1 - info.padInfo.left;
  let bottom = info.inHeight + info.padInfo.top - 1 - (ho - 1) * sh;
  let right = info.inWidth + info.padInfo.left - 1 - (wo - 1) * sw;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) {
    // A window that never reached an edge: crop instead of padding negatively.
    const [, dh, dw] = d.shape;
    const t0 = Math.max(-top, 0);
    const l0 = Math.max(-left, 0);
    d = tf.slice(d, [0, t0, l0, 0], [n, dh - t0 - Math.max(-bottom, 0), dw - l0 - Math.max(-right, 0), c]);
    [top, left, bottom, right] = [top, left, bottom, right].map((v) => Math.max(v, 0)) as Quad;
  }
  return { d, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] };
}

/** Conv2DBackpropInput = stride-1 conv of the spread dy with the filter flipped in space and in/out swapped. */
function conv2dBackpropInput(args: Args): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as BackpropAttrs;
  return tf.tidy(() => {
    const nchw = attrs.dataFormat === 'NCHW';
    const s = attrs.inputShape!;
    const inShape: Quad = nchw ? [s[0], s[2], s[3], s[1]] : s;
    let g = asTensor(dy) as Tensor4D;
    if (nchw) g = tf.transpose(g, [0, 2, 3, 1]);
    const info = tf.backend_util.computeConv2DInfo(inShape, filter.shape as Quad, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const { d, pad } = spreadForInputGrad(g, info);
    const dx = tf.conv2d(d, flipFilter(args.backend, filter, true), 1, pad);
    return nchw ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
  });
}

/**
 * Conv2DBackpropFilter as one XNNPACK convolution: x transposed to [Ci,H,W,N] (channels as batch)
 * correlated with dy transposed to [Ho,Wo,N,Co] (dy as the filter, dilated by the strides) gives
 * [Ci,Kh,Kw,Co], which is the filter gradient up to a small transpose.
 */
function conv2dBackpropFilter(args: Args): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as BackpropAttrs;
  return tf.tidy(() => {
    let xt = asTensor(x) as Tensor4D;
    let g = asTensor(dy) as Tensor4D;
    if (attrs.dataFormat === 'NCHW') {
      xt = tf.transpose(xt, [0, 2, 3, 1]);
      g = tf.transpose(g, [0, 2, 3, 1]);
    }
    const fs = attrs.filterShape!;
    const info = tf.backend_util.computeConv2DInfo(xt.shape, fs, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const patchRows = fs[0] * fs[1] * fs[2];
    if (patchRows <= 64 && patchRows <= fs[3]) return filterGradByPatches(args.backend, xt, g, info, fs);
    return filterGradByConv(xt, g, info, fs);
  });
}

/**
 * The matmul formulation for few input channels (Kh·Kw·Ci ≤ min(64, Co), e.g. an RGB stem): the transposed
 * im2col patches [Kh·Kw·Ci, N·Ho·Wo], written in one pass over x, times dy [N·Ho·Wo, Co] (XNNPACK FC,
 * dy packed as is). Avoids the conv formulation's full transposes of x and dy.
 */
export function filterGradByPatches(backend: BackendWasm, x: TensorInfo, dy: Tensor4D, info: tf.backend_util.Conv2DInfo, fs: Quad): Tensor {
  const [kh, kw, ci, co] = fs;
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const m = n * ho * wo;
  const rows = kh * kw * ci;
  const out = makeOutputF32(backend, [rows, m]);
  const a = viewF32(backend, out);
  const xv = viewF32(backend, x);
  let col = 0;
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++, col++) {
        for (let p = 0; p < kh; p++) {
          const y = oh * sh + p - top;
          for (let q = 0; q < kw; q++) {
            const xx = ow * sw + q - left;
            const r0 = (p * kw + q) * ci;
            if (y < 0 || y >= h || xx < 0 || xx >= w) {
              for (let c = 0; c < ci; c++) a[(r0 + c) * m + col] = 0;
              continue;
            }
            const base = ((b * h + y) * w + xx) * ci;
            for (let c = 0; c < ci; c++) a[(r0 + c) * m + col] = xv[base + c]!;
          }
        }
      }
    }
  }
  const patches = tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor2D;
  return tf.reshape(tf.matMul(patches, tf.reshape(dy, [m, co]) as tf.Tensor2D), fs);
}

/** The convolution formulation of the filter gradient (NHWC tensors). */
export function filterGradByConv(x: Tensor4D, dy: Tensor4D, info: tf.backend_util.Conv2DInfo, fs: Quad): Tensor {
  const [kh, kw] = fs;
  const { inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  let bottom = (ho - 1) * sh + kh - h - top;
  let right = (wo - 1) * sw + kw - w - left;
  let xc = tf.transpose(x, [3, 1, 2, 0]) as Tensor4D;
  if (bottom < 0 || right < 0) {
    // Rows/columns no window reaches are dropped.
    xc = tf.slice(xc, [0, 0, 0, 0], [xc.shape[0], h + Math.min(bottom, 0), w + Math.min(right, 0), xc.shape[3]]);
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }
  const filter = tf.transpose(dy, [1, 2, 0, 3]) as Tensor4D;
  const out = tf.conv2d(xc, filter, 1, [[0, 0], [top, bottom], [left, right], [0, 0]], 'NHWC', [sh, sw]);
  return tf.transpose(out, [1, 2, 0, 3]);
}

/** Kernel config replacing the stock (naive-loop) Conv2DBackpropInput. */
export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput as unknown as KernelConfig['kernelFunc'],
};

/** Kernel config for the missing Conv2DBackpropFilter. */
export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
