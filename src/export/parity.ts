// Parity of an export with its source: seeded inputs, layout conversion, stated tolerances, PARITY_FAILED beyond them.
import { fail } from '../core/errors.ts';
import { normalArray } from '../core/random.ts';

/** Weight storage of an export, which sets its tolerance. */
export type Precision = 'float32' | 'float16' | 'uint16' | 'uint8' | 'int8';

/**
 * Tolerance per storage scheme, relative to the output scale s = max(1, max |reference|): an export
 * passes when max |export − reference| ≤ factor · s. For logits of magnitude ≤ 1 this is an absolute
 * bound (float32: 1e-4). float16 weights carry ~5e-4 relative rounding, uint8 weights ~0.2% of each
 * tensor's range, and both accumulate through the layers, hence the looser bounds.
 */
export const PARITY_TOLERANCE: Readonly<Record<Precision, number>> = { float32: 1e-4, float16: 1e-2, uint16: 1e-3, uint8: 1e-1, int8: Infinity };

/** int8 (quantized activations too) is judged on data images: top-1 agreement with the source at least this. */
export const INT8_MIN_AGREEMENT = 0.9;

/** Human statement of the tolerance rule, recorded in the manifest. */
export function describeTolerance(precision: Precision): string {
  if (precision === 'int8') return `int8: top-1 agreement with the source >= ${INT8_MIN_AGREEMENT} on the data images (differences on seeded noise are reported, not bounded)`;
  return `max|export - source| <= ${PARITY_TOLERANCE[precision]} * max(1, max|source|)`;
}

/** The parity figures of one export. */
export interface ParityFigures {
  /** Runtime that ran the export, e.g. `tfjs-wasm`, `onnxruntime-node`. */
  runtime: string;
  /** Number of seeded input samples (the batch size of the check). */
  samples: number;
  seed: number;
  maxAbsDiff: number;
  meanAbsDiff: number;
  /** max |source output|. */
  referenceMaxAbs: number;
  /** The bound that applied: factor · max(1, referenceMaxAbs). */
  tolerance: number;
  rule: string;
  /** Fraction of samples whose arg-max over the last axis agrees with the source. */
  top1Agreement: number;
  /**
   * What was compared: `logits` (centred: where an output ends in Softmax, the log of its probabilities
   * minus their mean, which equals the logits minus theirs) or the raw `outputs`.
   */
  compared: 'logits' | 'outputs';
  passed: boolean;
  /** The same comparison on data images (when given to the export), with top-1 accuracy on their labels. */
  images?: ImageParity;
}

/** Parity on real images: agreement, differences, and accuracy of source and export where labels are known. */
export interface ImageParity {
  n: number;
  source: string;
  top1Agreement: number;
  maxAbsDiff: number;
  meanAbsDiff: number;
  /** Top-1 accuracy on the images' labels: the source model's and the export's (null without labels). */
  accuracy: { source: number; export: number } | null;
  passed: boolean;
}

/** Smallest probability whose log is compared (tails below it are compared as equal: float32 softmax loses them to rounding and underflow). */
const MIN_PROBABILITY = 1e-12;

/** Rows of `width` values turned into centred logits: log(max(p, 1e-12)) minus the row's mean. */
export function centredLogRows(data: Float32Array, width: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r * width < data.length; r++) {
    let mean = 0;
    for (let i = 0; i < width; i++) {
      const v = Math.log(Math.max(data[r * width + i] as number, MIN_PROBABILITY));
      out[r * width + i] = v;
      mean += v;
    }
    mean /= width;
    for (let i = 0; i < width; i++) out[r * width + i] = (out[r * width + i] as number) - mean;
  }
  return out;
}

/** Rows [from, to) of a batch output of `samples` rows. */
export function sliceRows(data: Float32Array, samples: number, from: number, to: number): Float32Array {
  const per = data.length / samples;
  return data.subarray(from * per, to * per);
}

/** Seeded standard-normal input values (core/random `normalArray`): the same seed gives the same inputs. */
export function createSeededInput(size: number, seed: number): Float32Array {
  return normalArray(size, seed);
}

/** Permute a batch of images [N, H, W, C] → [N, C, H, W]. */
export function convertNhwcToNchw(data: Float32Array, [n, h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  const [N, H, W, C] = [n, h, w, c] as [number, number, number, number];
  for (let b = 0; b < N; b++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let k = 0; k < C; k++) out[((b * C + k) * H + y) * W + x] = data[((b * H + y) * W + x) * C + k] as number;
  return out;
}

/** Permute a batch of images [N, C, H, W] → [N, H, W, C] (shape given channels-last). */
export function convertNchwToNhwc(data: Float32Array, [n, h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  const [N, H, W, C] = [n, h, w, c] as [number, number, number, number];
  for (let b = 0; b < N; b++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let k = 0; k < C; k++) out[((b * H + y) * W + x) * C + k] = data[((b * C + k) * H + y) * W + x] as number;
  return out;
}

/** Index of the largest value of each row of `width` values. */
function argmaxRows(data: Float32Array, width: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r * width < data.length; r++) {
    let best = 0;
    for (let i = 1; i < width; i++) if ((data[r * width + i] as number) > (data[r * width + best] as number)) best = i;
    rows.push(best);
  }
  return rows;
}

/** Fraction of rows of `width` values whose arg-max is the label. */
export function top1Accuracy(data: Float32Array, width: number, labels: ArrayLike<number>): number {
  const best = argmaxRows(data, width);
  let right = 0;
  best.forEach((b, i) => (right += b === labels[i] ? 1 : 0));
  return best.length ? right / best.length : 0;
}

/** Compare export outputs with the source outputs (same order, channels-last) under a precision's tolerance. */
export function compareOutputs(
  reference: Float32Array[],
  exported: Float32Array[],
  options: { precision: Precision; runtime: string; samples: number; seed: number; lastAxis: number[]; softmax?: boolean[] },
): ParityFigures {
  let maxAbsDiff = 0;
  let sum = 0;
  let count = 0;
  let referenceMaxAbs = 0;
  let agree = 0;
  let rows = 0;
  const logits = options.softmax?.some(Boolean) === true;
  reference.forEach((rawRef, k) => {
    const rawGot = exported[k] ?? new Float32Array(0);
    if (rawGot.length !== rawRef.length) {
      fail('PARITY_FAILED', { expected: `${rawRef.length} values in output ${k}`, found: `${rawGot.length}`, where: `${options.runtime} output ${k}`, hint: 'the exported graph produces a different output shape; report this model' });
    }
    const soft = options.softmax?.[k] === true;
    const ref = soft ? centredLogRows(rawRef, options.lastAxis[k] ?? 1) : rawRef;
    const got = soft ? centredLogRows(rawGot, options.lastAxis[k] ?? 1) : rawGot;
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs((ref[i] as number) - (got[i] as number));
      maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
      sum += d;
      referenceMaxAbs = Math.max(referenceMaxAbs, Math.abs(ref[i] as number));
    }
    count += ref.length;
    const width = options.lastAxis[k] ?? 1;
    const a = argmaxRows(ref, width);
    const b = argmaxRows(got, width);
    a.forEach((v, i) => (agree += v === b[i] ? 1 : 0));
    rows += a.length;
  });
  const factor = PARITY_TOLERANCE[options.precision];
  const tolerance = factor * Math.max(1, referenceMaxAbs);
  return {
    runtime: options.runtime,
    samples: options.samples,
    seed: options.seed,
    maxAbsDiff,
    meanAbsDiff: count ? sum / count : 0,
    referenceMaxAbs,
    tolerance,
    rule: describeTolerance(options.precision),
    top1Agreement: rows ? agree / rows : 1,
    compared: logits ? 'logits' : 'outputs',
    passed: maxAbsDiff <= tolerance,
  };
}

/** Throw PARITY_FAILED when an export is beyond its tolerance. */
export function assertParity(figures: ParityFigures, format: string): void {
  if (figures.passed && figures.images?.passed !== false) return;
  if (figures.passed && figures.images) {
    const im = figures.images;
    fail('PARITY_FAILED', {
      expected: `${format} outputs within ${figures.tolerance.toPrecision(3)} of the source on ${im.n} images of ${im.source} (${figures.rule})`,
      found: `max difference ${im.maxAbsDiff.toPrecision(3)} (mean ${im.meanAbsDiff.toPrecision(3)}, top-1 agreement ${(100 * im.top1Agreement).toFixed(1)}%) on ${figures.runtime}`,
      where: `${format} export`,
      hint: 'no bundle was written; rerun with --debug and report the model, or try another --weights encoding',
    });
  }
  fail('PARITY_FAILED', {
    expected: `${format} outputs within ${figures.tolerance.toPrecision(3)} of the source (${figures.rule})`,
    found: `max difference ${figures.maxAbsDiff.toPrecision(3)} (mean ${figures.meanAbsDiff.toPrecision(3)}, top-1 agreement ${(100 * figures.top1Agreement).toFixed(0)}%) on ${figures.runtime}`,
    where: `${format} export`,
    hint: 'no bundle was written; rerun with --debug and report the model, or try without --quantize',
  });
}
