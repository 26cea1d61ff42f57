// int8 entries of profiles: the host's calibrated int8 costs written in, and device int8 costs derived from them.
import { fail } from '../../core/errors.ts';
import { OP_KINDS, type Int8Model, type Profile, type RuntimeModel, type RuntimeName, type Sourced } from '../../core/schemas.ts';

/** The runtimes with int8 kernels whose device entries take int8 costs derived from the host's. */
export const INT8_RUNTIMES: readonly RuntimeName[] = ['onnxruntime-web', 'onnxruntime-mobile', 'onnxruntime-node'];

/** The int8 terms of a fitted entry (its float32 fields reused as int8 figures). */
function int8Of(entry: RuntimeModel): Int8Model {
  const out: Int8Model = {
    inferenceOverheadMs: entry.inferenceOverheadMs,
    layerOverheadMs: entry.layerOverheadMs,
    cacheMb: entry.cacheMb,
    bandwidthGBs: entry.bandwidthGBs,
    throughputGops: entry.throughputGops,
  };
  if (entry.channelBlock) out.channelBlock = entry.channelBlock;
  if (entry.calibration) out.calibration = entry.calibration;
  return out;
}

/** The profile with `fitted` (coefficients fitted on int8 models) written as the `int8` entry of its float32 runtime entry. */
export function withInt8Entry(profile: Profile, runtime: RuntimeName, fitted: RuntimeModel): Profile {
  const existing = profile.runtimes[runtime];
  if (!existing) {
    fail('INVALID_ARGUMENT', {
      expected: `float32 costs for ${runtime} in profile "${profile.name}" before its int8 costs`,
      found: 'no runtime entry',
      where: 'edge-prune calibrate --compute int8',
      hint: `run \`edge-prune calibrate --runtime ${runtime}\` first`,
    });
  }
  return { ...profile, runtimes: { ...profile.runtimes, [runtime]: { ...existing, int8: int8Of(fitted) } } };
}

/** Round to 4 significant digits. */
const round4 = (v: number): number => Number(v.toPrecision(4));

/**
 * A device runtime's int8 costs derived the way its float32 costs are (scaled from the host): each
 * term is the device's float32 term times the host's int8/float32 ratio for that term (per op kind
 * for throughput), so the host's measured int8 speed-up (or slow-down) per kind carries over.
 */
export function deriveInt8(device: RuntimeModel, host: RuntimeModel, hostName: string): Int8Model {
  const hostInt8 = host.int8;
  if (!hostInt8) {
    fail('INVALID_ARGUMENT', { expected: 'host int8 costs', found: 'none', where: `profile "${hostName}"`, hint: 'run `edge-prune calibrate --runtime onnxruntime-node --compute int8` first' });
  }
  const scaled = (d: Sourced, h32: Sourced, h8: Sourced, what: string): Sourced => {
    const ratio = h8.value / h32.value;
    return {
      value: round4(d.value * ratio),
      basis: 'derived',
      source: `derived: this device's float32 ${what} × ${ratio.toFixed(3)} = the host's int8/float32 ratio (profiles/${hostName}.json onnxruntime-node, int8 QDQ probes measured by edge-prune calibrate --compute int8 on ${hostInt8.calibration?.measuredAt.slice(0, 10) ?? 'an unknown date'}); not measured on the device`,
    };
  };
  return {
    inferenceOverheadMs: scaled(device.inferenceOverheadMs, host.inferenceOverheadMs, hostInt8.inferenceOverheadMs, 'inference overhead'),
    layerOverheadMs: scaled(device.layerOverheadMs, host.layerOverheadMs, hostInt8.layerOverheadMs, 'per-layer overhead'),
    cacheMb: device.cacheMb,
    bandwidthGBs: scaled(device.bandwidthGBs, host.bandwidthGBs, hostInt8.bandwidthGBs, 'bandwidth'),
    throughputGops: Object.fromEntries(OP_KINDS.map((k) => [k, scaled(device.throughputGops[k], host.throughputGops[k], hostInt8.throughputGops[k], `${k} throughput`)])) as Int8Model['throughputGops'],
    ...(device.channelBlock ? { channelBlock: device.channelBlock } : {}),
  };
}

/** A device profile with int8 costs derived (`deriveInt8`) for each of its onnxruntime entries; unchanged when it has none. */
export function withDerivedInt8(profile: Profile, host: Profile): Profile {
  const hostEntry = host.runtimes['onnxruntime-node'];
  if (!hostEntry?.int8 || profile.name === host.name) return profile;
  const runtimes = { ...profile.runtimes };
  for (const r of INT8_RUNTIMES) {
    const entry = runtimes[r];
    if (entry) runtimes[r] = { ...entry, int8: deriveInt8(entry, hostEntry, host.name) };
  }
  return { ...profile, runtimes };
}
