// The per-layer latency model: a profile's coefficients applied to each layer's work and bytes.
import { fail } from '../core/errors.ts';
import { OP_KINDS, type ComputePrecision, type OpKind, type Profile, type RuntimeName } from '../core/schemas.ts';
import type { Graph } from '../core/types.ts';
import { describeWork, paddedWork, type Fusion, type LayerWork } from './layer-work.ts';

/** The plain numbers of one runtime's latency model (sources stripped). */
export interface LatencyCoefficients {
  inferenceOverheadMs: number;
  layerOverheadMs: number;
  /** Traffic per layer that stays in cache, in MB (2^20 bytes). */
  cacheMb: number;
  bandwidthGBs: number;
  throughputGops: Record<OpKind, number>;
  /** Work the runtime fuses into the preceding conv or dense layer (costs nothing). */
  fuses: Fusion[];
  /** Channel block of the conv kernels (1: none); see `paddedWork`. */
  channelBlock: number;
}

/**
 * How a layer's compute time and memory time combine: `max` (roofline: the slower of the two
 * bounds the layer) or `sum` (no overlap). `max` is the default; bench/latency-model.ts compares
 * both on the host measurements.
 */
export type Combine = 'max' | 'sum';

/** Predicted time of one layer. */
export interface LayerLatency {
  name: string;
  className: string;
  ms: number;
  macs: number;
  bytes: number;
  /** Time of the layer's kernels at the profile's throughput for their op kinds. */
  computeMs: number;
  /** Time to stream the layer's bytes beyond the cache at the profile's bandwidth. */
  memoryMs: number;
  /** The fixed per-layer cost included in `ms`. */
  overheadMs: number;
}

/** A latency prediction: `totalMs` = `inferenceOverheadMs` + the sum of `layers[].ms`. */
export interface LatencyPrediction {
  method: 'predicted';
  profile: string;
  runtime: RuntimeName;
  totalMs: number;
  inferenceOverheadMs: number;
  layers: LayerLatency[];
}

/**
 * The plain coefficients of a profile's runtime, in float32 or (`compute` int8) from its `int8`
 * entry (the fusions are the runtime's); INVALID_ARGUMENT when the profile lacks the runtime or its int8 costs.
 */
export function coefficientsOf(profile: Profile, runtime: RuntimeName, compute: ComputePrecision = 'float32'): LatencyCoefficients {
  const model = profile.runtimes[runtime];
  if (!model) {
    fail('INVALID_ARGUMENT', {
      expected: `a runtime the profile models (${Object.keys(profile.runtimes).join(', ')})`,
      found: `runtime "${runtime}"`,
      where: `profile "${profile.name}"`,
      hint: `pick one of the listed runtimes, or add latency coefficients for ${runtime} to profiles/${profile.name}.json`,
    });
  }
  const source = compute === 'int8' ? model.int8 : model;
  if (!source) {
    fail('INVALID_ARGUMENT', {
      expected: `int8 costs for ${runtime}`,
      found: 'no int8 entry',
      where: `profile "${profile.name}"`,
      hint: 'run `edge-prune calibrate --runtime onnxruntime-node --compute int8` (it also derives the device profiles\' int8 entries)',
    });
  }
  const throughputGops = Object.fromEntries(OP_KINDS.map((k) => [k, source.throughputGops[k].value])) as Record<OpKind, number>;
  return {
    inferenceOverheadMs: source.inferenceOverheadMs.value,
    layerOverheadMs: source.layerOverheadMs.value,
    cacheMb: source.cacheMb.value,
    bandwidthGBs: source.bandwidthGBs.value,
    throughputGops,
    fuses: model.fuses ?? [],
    channelBlock: source.channelBlock?.value ?? 1,
  };
}

/** Whether a profile's runtime has int8 costs (an `int8` entry). */
export function hasInt8Costs(profile: Profile, runtime: RuntimeName): boolean {
  return profile.runtimes[runtime]?.int8 !== undefined;
}

/** Bytes of a layer's traffic beyond what the cache holds: these stream from memory. */
export function streamedBytes(bytes: number, cacheMb: number): number {
  return Math.max(0, bytes - cacheMb * 1024 * 1024);
}

/**
 * Predicted time of one layer: overhead + max(compute, memory), where compute is each op's work
 * (channels padded to the runtime's channel block) at its kind's throughput (G/s: work / (G × 1e6) ms) and memory is the traffic beyond the cache
 * at the bandwidth (GB/s likewise). A layer (or a fused activation) the runtime fuses costs 0.
 */
export function predictLayer(work: LayerWork, c: LatencyCoefficients, combine: Combine = 'max'): LayerLatency {
  const base = { name: work.name, className: work.className, macs: work.macs, bytes: work.bytes };
  if (work.fusable && c.fuses.includes(work.fusable)) return { ...base, ms: 0, computeMs: 0, memoryMs: 0, overheadMs: 0 };
  const fusesActivation = c.fuses.includes('activation');
  let computeMs = 0;
  for (const op of work.ops) if (!(op.fused && fusesActivation)) computeMs += paddedWork(op, c.channelBlock) / (c.throughputGops[op.kind] * 1e6);
  const memoryMs = work.ops.length === 0 ? 0 : streamedBytes(work.bytes, c.cacheMb) / (c.bandwidthGBs * 1e6);
  const overheadMs = work.executed ? c.layerOverheadMs : 0;
  const bodyMs = combine === 'max' ? Math.max(computeMs, memoryMs) : computeMs + memoryMs;
  return { ...base, ms: overheadMs + bodyMs, computeMs, memoryMs, overheadMs };
}

/** Predict from precomputed layer work (the search reuses one `describeWork` per candidate). */
export function predictFromWork(
  works: LayerWork[],
  c: LatencyCoefficients,
  label: { profile: string; runtime: RuntimeName },
  combine: Combine = 'max',
): LatencyPrediction {
  const layers = works.map((w) => predictLayer(w, c, combine));
  let totalMs = c.inferenceOverheadMs;
  for (const l of layers) totalMs += l.ms;
  return { method: 'predicted', ...label, totalMs, inferenceOverheadMs: c.inferenceOverheadMs, layers };
}

/** Predicted latency of a graph at batch 1 on a profile's runtime (in float32, or int8 on its integer kernels), per layer and in total. */
export function predictLatency(graph: Graph, profile: Profile, runtime: RuntimeName, compute: ComputePrecision = 'float32'): LatencyPrediction {
  return predictFromWork(describeWork(graph), coefficientsOf(profile, runtime, compute), { profile: profile.name, runtime });
}
