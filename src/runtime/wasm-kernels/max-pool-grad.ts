// MaxPoolGrad for the wasm backend: routes each gradient to the first maximum of its window, as TensorFlow does.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { makeOutputF32, viewF32 } from './heap.ts';

/** Attributes tfjs passes to MaxPoolGrad. */
interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Computes dx for a 2-D max pool over NHWC input. Each output's gradient goes to the first element
 * (row-major within the window, padding excluded) holding the window's maximum, whatever its sign.
 * The stock wasm kernel starts its search from 0 and so misroutes windows whose values are all ≤ 0.
 */
function maxPoolGrad(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs?: NamedAttrMap }): TensorInfo {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const dh = info.dilationHeight;
  const dw = info.dilationWidth;
  const pairs = fh === 2 && fw === 2 && strideHeight === 2 && strideWidth === 2 && dh === 1 && dw === 1;
  if (pairs && info.padInfo.top === 0 && info.padInfo.left === 0 && inHeight === 2 * outHeight && inWidth === 2 * outWidth) {
    return maxPoolGrad2x2(args.backend, input, dy);
  }
  const out = makeOutputF32(args.backend, input.shape, true);
  const dx = viewF32(args.backend, out);
  const x = viewF32(args.backend, input);
  const g = viewF32(args.backend, dy);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - info.padInfo.top;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - info.padInfo.left;
        where.fill(-1);
        for (let kh = 0; kh < fh; kh += dh) {
          const h = h0 + kh;
          if (h < 0 || h >= inHeight) continue;
          for (let kw = 0; kw < fw; kw += dw) {
            const w = w0 + kw;
            if (w < 0 || w >= inWidth) continue;
            const base = ((n * inHeight + h) * inWidth + w) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch]!;
              if (where[ch]! < 0 || v > best[ch]!) {
                best[ch] = v;
                where[ch] = base + ch;
              }
            }
          }
        }
        const gBase = ((n * outHeight + oh) * outWidth + ow) * c;
        for (let ch = 0; ch < c; ch++) {
          const at = where[ch]!;
          if (at >= 0) dx[at] = dx[at]! + g[gBase + ch]!;
        }
      }
    }
  }
  return out;
}

/** The common 2x2 / stride 2 pool tiling the input exactly: one pass that writes every dx element once. */
function maxPoolGrad2x2(backend: BackendWasm, input: TensorInfo, dy: TensorInfo): TensorInfo {
  const [n, h, w, c] = input.shape as [number, number, number, number];
  const out = makeOutputF32(backend, input.shape);
  const dx = viewF32(backend, out);
  const x = viewF32(backend, input);
  const g = viewF32(backend, dy);
  const row = w * c;
  let gi = 0;
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < h / 2; oh++) {
      for (let ow = 0; ow < w / 2; ow++) {
        const p0 = ((b * h + 2 * oh) * w + 2 * ow) * c;
        const p1 = p0 + c;
        const p2 = p0 + row;
        const p3 = p2 + c;
        for (let ch = 0; ch < c; ch++, gi++) {
          const v0 = x[p0 + ch]!;
          const v1 = x[p1 + ch]!;
          const v2 = x[p2 + ch]!;
          const v3 = x[p3 + ch]!;
          // First maximum in row-major window order wins ties.
          let k = 0;
          let m = v0;
          if (v1 > m) { k = 1; m = v1; }
          if (v2 > m) { k = 2; m = v2; }
          if (v3 > m) k = 3;
          const gv = g[gi]!;
          dx[p0 + ch] = k === 0 ? gv : 0;
          dx[p1 + ch] = k === 1 ? gv : 0;
          dx[p2 + ch] = k === 2 ? gv : 0;
          dx[p3 + ch] = k === 3 ? gv : 0;
        }
      }
    }
  }
  return out;
}

/** Kernel config replacing the stock wasm MaxPoolGrad. */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelConfig['kernelFunc'],
};
