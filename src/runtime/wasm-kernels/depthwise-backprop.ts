// Depthwise conv gradients for the wasm backend (both are missing from the stock build).
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, Tensor4D, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { asTensor, flipFilter, spreadForInputGrad } from './conv-backprop.ts';
import { makeOutputF32, viewF32 } from './heap.ts';

/** Attributes tfjs passes to the depthwise backprop kernels. */
interface DepthwiseAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations: number | [number, number];
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

/**
 * DepthwiseConv2dNativeBackpropInput: the spread dy correlated (XNNPACK depthwise conv, stride 1)
 * with the spatially flipped filter; with a channel multiplier m the C·m results are summed per channel.
 */
function depthwiseBackpropInput(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs?: NamedAttrMap }): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as DepthwiseAttrs;
  return tf.tidy(() => {
    const w = asTensor(filter) as Tensor4D;
    const [kh, kw, c, m] = w.shape;
    const inShape = attrs.inputShape!;
    const info = tf.backend_util.computeConv2DInfo(inShape, w.shape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true);
    if (info.dilationHeight > 1 || info.dilationWidth > 1) {
      throw new Error('depthwise input gradient with dilation > 1 is not supported on wasm');
    }
    const flipped = tf.reshape(flipFilter(args.backend, filter, false), [kh, kw, c * m, 1]) as Tensor4D;
    const { d, pad } = spreadForInputGrad(asTensor(dy) as Tensor4D, info);
    const full = tf.depthwiseConv2d(d, flipped, 1, pad);
    if (m === 1) return full;
    const [n, h, wd] = full.shape;
    return tf.sum(tf.reshape(full, [n, h, wd, c, m]), -1);
  });
}

/**
 * DepthwiseConv2dNativeBackpropFilter as one pass over the heap:
 * dW[a,b,c,j] = Σ x[n, oh·sh + a·dh − top, ow·sw + b·dw − left, c] · dy[n, oh, ow, c·m + j].
 */
function depthwiseBackpropFilter(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs?: NamedAttrMap }): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as DepthwiseAttrs;
  const fs = attrs.filterShape!;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], fs, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true);
  const [kh, kw, c, m] = fs;
  const { batchSize, inHeight, inWidth, outHeight, outWidth, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const cm = c * m;
  const out = makeOutputF32(args.backend, fs, true);
  const dW = viewF32(args.backend, out);
  const xv = viewF32(args.backend, x);
  const g = viewF32(args.backend, dy);
  const acc = new Float64Array(kh * kw * cm);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const gBase = ((n * outHeight + oh) * outWidth + ow) * cm;
        for (let a = 0; a < kh; a++) {
          const h = oh * sh + a * dh - info.padInfo.top;
          if (h < 0 || h >= inHeight) continue;
          for (let b = 0; b < kw; b++) {
            const w = ow * sw + b * dw - info.padInfo.left;
            if (w < 0 || w >= inWidth) continue;
            const xBase = ((n * inHeight + h) * inWidth + w) * c;
            const aBase = (a * kw + b) * cm;
            if (m === 1) {
              for (let ch = 0; ch < c; ch++) acc[aBase + ch] = acc[aBase + ch]! + xv[xBase + ch]! * g[gBase + ch]!;
            } else {
              for (let ch = 0; ch < c; ch++) {
                const xval = xv[xBase + ch]!;
                for (let j = 0; j < m; j++) acc[aBase + ch * m + j] = acc[aBase + ch * m + j]! + xval * g[gBase + ch * m + j]!;
              }
            }
          }
        }
      }
    }
  }
  for (let i = 0; i < acc.length; i++) dW[i] = acc[i]!;
  return out;
}

/** Kernel config for the missing DepthwiseConv2dNativeBackpropInput. */
export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as KernelConfig['kernelFunc'],
};

/** Kernel config for the missing DepthwiseConv2dNativeBackpropFilter. */
export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
