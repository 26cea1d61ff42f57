// Fits a runtime's latency coefficients to measured probe times (relative-error least squares, x ≥ 0).
import { OP_KINDS, type OpKind } from '../../core/schemas.ts';
import { predictFromWork, streamedBytes, type Combine, type LatencyCoefficients } from '../latency-model.ts';
import { paddedWork, type Fusion, type LayerWork } from '../layer-work.ts';
import { solveNnls } from './nnls.ts';

/** One timed model: its layers' work and the measured milliseconds. */
export interface FitSample {
  id: string;
  works: LayerWork[];
  measuredMs: number;
  /** How much the sample counts in the fit (default 1): whole networks count more than single-layer probes. */
  weight?: number;
}

/** Predicted against measured for one sample. */
export interface FitResidual {
  id: string;
  measuredMs: number;
  predictedMs: number;
  /** (predicted − measured) / measured × 100. */
  errorPct: number;
}

/** The fitted coefficients and how well they explain the samples. */
export interface FitResult {
  coefficients: LatencyCoefficients;
  combine: Combine;
  residuals: FitResidual[];
  /**
   * Op kinds whose compute never limited a probe, and `bandwidth` if memory traffic never did:
   * their fitted cost is zero, so the recorded figure is the cap `THROUGHPUT_CAP_GOPS`.
   */
  notLimiting: Array<OpKind | 'bandwidth'>;
}

/** Throughput recorded for an op kind whose compute time fitted to zero (memory traffic explains it). */
export const THROUGHPUT_CAP_GOPS = 10000;

const PARAMS = 3 + OP_KINDS.length; // F, O, u per kind, v (bytes)
const V = PARAMS - 1;

/** Per-kind work of a layer, channels padded to `block` (fused activations left out when the runtime fuses them). */
function workByKind(w: LayerWork, fuses: Fusion[], block: number): number[] {
  const out = new Array<number>(OP_KINDS.length).fill(0);
  for (const op of w.ops) if (!(op.fused && fuses.includes('activation'))) out[OP_KINDS.indexOf(op.kind)]! += paddedWork(op, block);
  return out;
}

/** How to decide the bound of each layer before a first fit exists. */
type Start = 'compute' | 'streaming';

/** Cache sizes (MB) tried when the fit chooses the cache size. */
export const CACHE_GRID_MB = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64];

/**
 * Channel blocks tried when the fit chooses the conv kernels' channel block: none, and the NCHWc
 * blocks of onnxruntime's x86 kernels (8 with AVX2, 16 with AVX-512).
 */
export const CHANNEL_BLOCK_GRID = [1, 8, 16];

/** The discrete choices the fit makes around its linear solve. */
interface Grid {
  cacheMb: number;
  channelBlock: number;
  fuses: Fusion[];
}

/** Linear features of a sample given which layers are compute-bound. */
function features(sample: FitSample, p: number[] | undefined, combine: Combine, start: Start, { cacheMb, channelBlock, fuses }: Grid): number[] {
  const f = new Array<number>(PARAMS).fill(0);
  f[0] = 1;
  for (const w of sample.works) {
    if (w.fusable && fuses.includes(w.fusable)) continue;
    if (w.executed) f[1]! += 1;
    if (w.ops.length === 0) continue;
    const kinds = workByKind(w, fuses, channelBlock);
    const streamed = streamedBytes(w.bytes, cacheMb);
    let computeBound = start === 'compute' || streamed === 0;
    if (p && combine === 'max') {
      const computeMs = kinds.reduce((s, k, i) => s + k * p[2 + i]!, 0);
      computeBound = computeMs >= streamed * p[V]!;
    }
    if (combine === 'sum' || computeBound) kinds.forEach((k, i) => (f[2 + i]! += k));
    if (combine === 'sum' || !computeBound) f[V]! += streamed;
  }
  return f;
}

/** Coefficients from the parameter vector (ms per unit → G units per second). */
function toCoefficients(p: number[], { cacheMb, channelBlock, fuses }: Grid): { coefficients: LatencyCoefficients; notLimiting: FitResult['notLimiting'] } {
  const notLimiting: FitResult['notLimiting'] = [];
  const throughputGops = Object.fromEntries(
    OP_KINDS.map((k, i) => {
      const u = p[2 + i]!;
      if (!(u > 0)) notLimiting.push(k);
      return [k, u > 0 ? Math.min(THROUGHPUT_CAP_GOPS, 1 / (u * 1e6)) : THROUGHPUT_CAP_GOPS];
    }),
  ) as Record<OpKind, number>;
  const v = p[V]!;
  if (!(v > 0)) notLimiting.push('bandwidth');
  return {
    coefficients: {
      inferenceOverheadMs: p[0]!,
      layerOverheadMs: p[1]!,
      cacheMb,
      bandwidthGBs: v > 0 ? 1 / (v * 1e6) : THROUGHPUT_CAP_GOPS,
      throughputGops,
      fuses,
      channelBlock,
    },
    notLimiting,
  };
}

/** Residuals of coefficients on samples through the real prediction code. */
export function residualsOf(samples: FitSample[], c: LatencyCoefficients, combine: Combine): FitResidual[] {
  return samples.map((s) => {
    const predictedMs = predictFromWork(s.works, c, { profile: 'fit', runtime: 'tfjs-wasm' }, combine).totalMs;
    return { id: s.id, measuredMs: s.measuredMs, predictedMs, errorPct: ((predictedMs - s.measuredMs) / s.measuredMs) * 100 };
  });
}

/** Relative error beyond which the fit weighs a sample down (Huber threshold). */
const HUBER = 0.15;

/** Weighted Huber loss of the relative errors: squared when small, linear beyond `HUBER` (outliers weigh less). */
const objective = (r: FitResidual[], samples: FitSample[]): number =>
  r.reduce((s, x, j) => {
    const e = Math.abs(x.errorPct / 100);
    return s + (samples[j]?.weight ?? 1) * (e <= HUBER ? e * e : HUBER * (2 * e - HUBER));
  }, 0);

/**
 * Fit coefficients minimizing the relative error of the predicted totals (each row divided by its
 * measured time, times √weight), with a Huber-weighted (robust) least squares under x ≥ 0. For
 * `max`, which bound limits each layer is re-decided from
 * the current fit until it stops changing. The cache size is chosen from `cacheGridMb` and the
 * channel block from `blockGrid` (the fit is linear only for fixed ones).
 */
export function fitCoefficients(
  samples: FitSample[],
  combine: Combine = 'max',
  cacheGridMb: number[] = CACHE_GRID_MB,
  fuses: Fusion[] = [],
  blockGrid: number[] = CHANNEL_BLOCK_GRID,
): FitResult {
  let best: FitResult | undefined;
  const grids = cacheGridMb.flatMap((cacheMb) => blockGrid.map((channelBlock): Grid => ({ cacheMb, channelBlock, fuses })));
  for (const grid of grids) for (const start of ['compute', 'streaming'] as const) {
    let p: number[] | undefined;
    let weights = samples.map((s) => s.weight ?? 1);
    for (let iter = 0; iter < 16; iter++) {
      const rows = samples.map((s, j) => features(s, p, combine, start, grid).map((v) => (v / s.measuredMs) * Math.sqrt(weights[j]!)));
      p = solveNnls(rows, samples.map((_, j) => Math.sqrt(weights[j]!)));
      const { coefficients, notLimiting } = toCoefficients(p, grid);
      const residuals = residualsOf(samples, coefficients, combine);
      if (!best || objective(residuals, samples) < objective(best.residuals, samples)) best = { coefficients, combine, residuals, notLimiting };
      weights = residuals.map((r, j) => {
        const e = Math.abs(r.errorPct / 100);
        return (samples[j]!.weight ?? 1) * (e <= HUBER ? 1 : HUBER / e);
      });
    }
  }
  return best as FitResult;
}
