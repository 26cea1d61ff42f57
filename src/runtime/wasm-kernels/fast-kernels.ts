// Faster wasm replacements for stock kernels that dominate a training step (copies, transposes, reductions).
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, Tensor, Tensor4D, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { asTensor } from './conv-backprop.ts';
import { refreshHeap, sizeOf } from './heap.ts';

type Args = { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs?: NamedAttrMap };
type Func = (args: Args) => TensorInfo;

/** Identity without a copy: the output shares the input's data (reference counted), as the cpu backend does. */
function identity(args: Args): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** An Int32Array view of a 4-byte tensor (float32 or int32), for moving raw elements. */
function view32(backend: BackendWasm, info: TensorInfo): Int32Array {
  const buffer = refreshHeap(backend);
  const { memoryOffset } = backend.dataIdMap.get(info.dataId) as { memoryOffset: number };
  return new Int32Array(buffer, memoryOffset, sizeOf(info.shape));
}

/** Row-major strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/**
 * Transposes a 4-byte tensor with cache-friendly loops (the stock kernel costs ~25 ns/element).
 * When the innermost axis moves, the input's innermost axis A and the output's innermost axis B are
 * walked as a 2-D block in 8x8 tiles under an odometer over the remaining axes; otherwise rows of
 * the innermost axis are copied whole.
 */
function transposeFast(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  const rank = x.shape.length;
  const outShape = perm.map((p) => x.shape[p]!);
  const inStrides = stridesOf(x.shape);
  const outStrides = stridesOf(outShape);
  const out = backend.makeOutput(outShape, x.dtype);
  const src = view32(backend, x);
  const dst = view32(backend, out);
  const a = rank - 1;
  const bOut = rank - 1;
  const b = perm[bOut]!;
  const aOut = perm.indexOf(a);
  // Outer axes in output order, skipping the block axes; each with its input and output strides.
  const outer = perm.map((p, o) => ({ n: outShape[o]!, si: inStrides[p]!, so: outStrides[o]! }))
    .filter((_, o) => o !== bOut && (b === a || o !== aOut));
  const count = outer.reduce((s, d) => s * d.n, 1);
  const idx = new Array<number>(outer.length).fill(0);
  const na = x.shape[a]!;
  const nb = x.shape[b]!;
  const sbIn = inStrides[b]!;
  const saOut = outStrides[aOut]!;
  let baseIn = 0;
  let baseOut = 0;
  for (let it = 0; it < count; it++) {
    if (b === a) {
      dst.set(src.subarray(baseIn, baseIn + na), baseOut);
    } else {
      // 8x8 tiles: power-of-two strides would otherwise map every row to one cache set.
      for (let j0 = 0; j0 < nb; j0 += 8) {
        const j1 = Math.min(j0 + 8, nb);
        for (let k0 = 0; k0 < na; k0 += 8) {
          const k1 = Math.min(k0 + 8, na);
          for (let k = k0; k < k1; k++) {
            const o = baseOut + k * saOut;
            const i = baseIn + k;
            for (let j = j0; j < j1; j++) dst[o + j] = src[i + j * sbIn]!;
          }
        }
      }
    }
    // Advance the odometer (last outer axis fastest).
    for (let d = outer.length - 1; d >= 0; d--) {
      const ax = outer[d]!;
      baseIn += ax.si;
      baseOut += ax.so;
      if (++idx[d]! < ax.n) break;
      baseIn -= ax.si * ax.n;
      baseOut -= ax.so * ax.n;
      idx[d] = 0;
    }
  }
  return out;
}

/** Sums (or averages) float32 x over the contiguous axes [lo, hi] with a [outer, mid, inner] view of the data. */
function reduceContiguous(backend: BackendWasm, x: TensorInfo, lo: number, hi: number, keepDims: boolean, mean: boolean): TensorInfo {
  const outer = sizeOf(x.shape.slice(0, lo));
  const mid = sizeOf(x.shape.slice(lo, hi + 1));
  const inner = sizeOf(x.shape.slice(hi + 1));
  const shape = keepDims ? x.shape.map((d, i) => (i >= lo && i <= hi ? 1 : d)) : [...x.shape.slice(0, lo), ...x.shape.slice(hi + 1)];
  const out = backend.makeOutput(shape, 'float32');
  const buffer = refreshHeap(backend);
  const src = new Float32Array(buffer, (backend.dataIdMap.get(x.dataId) as { memoryOffset: number }).memoryOffset, sizeOf(x.shape));
  const dst = new Float32Array(buffer, (backend.dataIdMap.get(out.dataId) as { memoryOffset: number }).memoryOffset, outer * inner);
  const acc = new Float64Array(inner);
  const scale = mean ? 1 / mid : 1;
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    let i = o * mid * inner;
    for (let m = 0; m < mid; m++) {
      for (let k = 0; k < inner; k++) acc[k] = acc[k]! + src[i++]!;
    }
    for (let k = 0; k < inner; k++) dst[o * inner + k] = acc[k]! * scale;
  }
  return out;
}

/** Wraps a stock kernel: `fast` handles what it can (returns null otherwise) and the stock kernel does the rest. */
function withFallback(name: string, fast: (args: Args, stock: Func) => TensorInfo | null): KernelConfig {
  const config = tf.getKernel(name, 'wasm');
  const stock: Func = (args) => {
    if (!config) throw new Error(`no stock wasm kernel for ${name}`);
    return (config.kernelFunc as unknown as Func)(args);
  };
  return {
    kernelName: name,
    backendName: 'wasm',
    setupFunc: config?.setupFunc,
    kernelFunc: ((args: Args) => fast(args, stock) ?? stock(args)) as unknown as KernelConfig['kernelFunc'],
  };
}

/**
 * BatchMatMul with a transposed operand and batch 1: transposes it first, then the stock kernel
 * takes its XNNPACK path (it falls back to naive loops whenever a transpose flag is set).
 */
function matMulWithoutTransposes(args: Args, stock: Func): TensorInfo | null {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
  if (!attrs.transposeA && !attrs.transposeB) return null;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if (sizeOf(a.shape.slice(0, -2)) !== 1 || sizeOf(b.shape.slice(0, -2)) !== 1) return null;
  const swapLast = (t: TensorInfo): TensorInfo => {
    const perm = t.shape.map((_, i) => i);
    perm.splice(-2, 2, perm.length - 1, perm.length - 2);
    return transposeFast(args.backend, t, perm);
  };
  const a2 = attrs.transposeA ? swapLast(a) : a;
  const b2 = attrs.transposeB ? swapLast(b) : b;
  try {
    return stock({ ...args, inputs: { a: a2, b: b2 }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
  } finally {
    if (a2 !== a) args.backend.disposeData(a2.dataId);
    if (b2 !== b) args.backend.disposeData(b2.dataId);
  }
}

/** Normalized, sorted axes when they form one contiguous block, else null. */
function contiguousAxes(axis: number | number[] | undefined, rank: number): [number, number] | null {
  const axes = (axis == null ? [...Array(rank).keys()] : Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
  if (axes.length === 0) return null;
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1]! + 1) return null;
  return [axes[0]!, axes[axes.length - 1]!];
}

/**
 * Sum/mean of NHWC float32 over the spatial axes (and the batch): XNNPACK's average pooling with a
 * full-size window (multithreaded SIMD, ~20x a JS loop), then the small [N, C] batch reduction.
 */
function reduceSpatial(x: TensorInfo, withBatch: boolean, keepDims: boolean, mean: boolean): TensorInfo {
  return tf.tidy(() => {
    const t = asTensor(x) as Tensor4D;
    const [n, h, w, c] = t.shape;
    let r: Tensor = tf.reshape(tf.avgPool(t, [h, w], 1, 'valid'), [n, c]);
    if (withBatch) r = tf.mean(r, 0);
    if (!mean) r = tf.mul(r, (withBatch ? n : 1) * h * w);
    return tf.reshape(r, keepDims ? [withBatch ? 1 : n, 1, 1, c] : withBatch ? [c] : [n, c]);
  });
}

/** Reduction replacement for float32 Sum/Mean over contiguous axes. */
function reduction(mean: boolean) {
  return (args: Args): TensorInfo | null => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    if (x.dtype !== 'float32' || x.shape.length === 0) return null;
    const block = contiguousAxes(axis, x.shape.length);
    if (!block) return null;
    if (x.shape.length === 4 && block[1] === 2 && block[0] <= 1 && x.shape[1]! * x.shape[2]! > 1) {
      return reduceSpatial(x, block[0] === 0, keepDims, mean);
    }
    return reduceContiguous(args.backend, x, block[0], block[1], keepDims, mean);
  };
}

/** Builds the replacement configs; call after the stock wasm kernels are registered. */
export function createFastKernelConfigs(): KernelConfig[] {
  return [
    { kernelName: tf.Identity, backendName: 'wasm', kernelFunc: identity as unknown as KernelConfig['kernelFunc'] },
    withFallback(tf.Cast, (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      return (args.attrs as { dtype: string }).dtype === x.dtype ? identity(args) : null;
    }),
    withFallback(tf.Transpose, (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      const { perm } = args.attrs as { perm: number[] };
      return (x.dtype === 'float32' || x.dtype === 'int32') && x.shape.length <= 6 ? transposeFast(args.backend, x, perm) : null;
    }),
    withFallback(tf.Sum, reduction(false)),
    withFallback(tf.Mean, reduction(true)),
    withFallback(tf.BatchMatMul, matMulWithoutTransposes),
  ];
}
