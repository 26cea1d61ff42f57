// Activation ranges for int8 quantization: the float ONNX graph run in onnxruntime on calibration images, min/max or percentile.
import type { onnx as OnnxTypes } from 'onnx-proto';
import { createOnnxSession } from '../runtime/onnx-session.ts';
import { activationTensors, withActivationOutputs, type ActivationRange } from './onnx-int8.ts';
import { encodeModel } from './onnx-tensors.ts';
import { convertNhwcToNchw } from './parity.ts';
import type { ParityImages } from './types.ts';

/** How activation ranges are read from the calibration outputs. */
export type CalibrationMethod = 'minmax' | 'percentile';

/** Options of {@link calibrateRanges}. */
export interface CalibrationOptions {
  method: CalibrationMethod;
  /** Percentile kept by `percentile` (default 99.99: the top and bottom 0.01% of values are clipped). */
  percentile?: number;
  /** Images per onnxruntime run (default 8). */
  batch?: number;
}

/** Values sampled per tensor and batch for percentiles. */
const SAMPLES_PER_BATCH = 4096;

/** The q-quantile of sorted values. */
function quantile(sorted: Float32Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] as number;
}

/**
 * Run the float model on the calibration images (channels-last, converted to NCHW when the ONNX input
 * is; `shape` is one image's channels-last shape) with every activation as an output, and return each activation's range: its min and max, or the
 * (100 − p)th and pth percentiles of a strided sample of its values.
 */
export async function calibrateRanges(model: OnnxTypes.IModelProto, input: { name: string; nchw: boolean; shape: number[] }, images: ParityImages, options: CalibrationOptions): Promise<Map<string, ActivationRange>> {
  const names = activationTensors(model);
  const session = await createOnnxSession(encodeModel(withActivationOutputs(model)));
  const stats = new Map<string, { min: number; max: number; samples: number[] }>(names.map((n) => [n, { min: Infinity, max: -Infinity, samples: [] }]));
  const perImage = images.data.length / images.count;
  const batch = options.batch ?? 8;
  try {
    for (let start = 0; start < images.count; start += batch) {
      const n = Math.min(batch, images.count - start);
      const slice = images.data.subarray(start * perImage, (start + n) * perImage);
      const hwc = [n, ...input.shape];
      const data = input.nchw ? convertNhwcToNchw(slice, hwc) : slice;
      const fed = input.nchw ? [n, hwc[3] as number, hwc[1] as number, hwc[2] as number] : hwc;
      const out = await session.run({ [input.name]: { data, dims: fed } });
      for (const name of names) {
        const t = name === input.name ? { data } : out[name];
        const s = stats.get(name);
        if (!t || !s) continue;
        for (const v of t.data) {
          if (v < s.min) s.min = v;
          if (v > s.max) s.max = v;
        }
        if (options.method === 'percentile') {
          const step = Math.max(1, Math.floor(t.data.length / SAMPLES_PER_BATCH));
          for (let i = 0; i < t.data.length; i += step) s.samples.push(t.data[i] as number);
        }
      }
    }
  } finally {
    await session.release();
  }
  const p = (options.percentile ?? 99.99) / 100;
  const ranges = new Map<string, ActivationRange>();
  for (const [name, s] of stats) {
    if (options.method === 'minmax' || s.samples.length === 0) ranges.set(name, { min: s.min, max: s.max });
    else {
      const sorted = Float32Array.from(s.samples).sort();
      ranges.set(name, { min: Math.max(s.min, quantile(sorted, 1 - p)), max: Math.min(s.max, quantile(sorted, p)) });
    }
  }
  return ranges;
}
