// The source's weight encoding (float32, float16, uint16, uint8 per weight), recorded on read and kept by every writer.
import type { JsonObject, ModelBundle, WeightEntry } from '../core/types.ts';
import type { WeightSpec } from './weights-codec.ts';

/** How one weight is stored on disk. */
export type WeightEncoding = 'float32' | 'float16' | 'uint16' | 'uint8';

/** Every weight encoding, smallest last. */
export const WEIGHT_ENCODINGS: readonly WeightEncoding[] = ['float32', 'float16', 'uint16', 'uint8'];

/** The encodings a user may ask for with `--weights`. */
export const WEIGHTS_CHOICES = ['float32', 'float16', 'uint8'] as const;

/** One of `WEIGHTS_CHOICES`. */
export type WeightsChoice = (typeof WEIGHTS_CHOICES)[number];

/** Bytes per stored element of an encoding. */
export const ENCODING_BYTES: Readonly<Record<WeightEncoding, number>> = { float32: 4, float16: 2, uint16: 2, uint8: 1 };

/** A bundle's encoding: one for every weight, or one per weight name (a mixed manifest). */
export type EncodingSpec = WeightEncoding | { [weight: string]: WeightEncoding };

/** Where the encoding lives in a bundle's metadata (`userDefinedMetadata.edgePrune.weightEncoding`). */
const KEY = 'weightEncoding';

/** Whether a value names a weight encoding. */
export function isWeightEncoding(value: unknown): value is WeightEncoding {
  return typeof value === 'string' && (WEIGHT_ENCODINGS as readonly string[]).includes(value);
}

/** The edgePrune object of `userDefinedMetadata`, if any. */
function edgePruneOf(meta: JsonObject): JsonObject | undefined {
  const user = meta['userDefinedMetadata'];
  const ep = typeof user === 'object' && user !== null ? (user as JsonObject)['edgePrune'] : undefined;
  return typeof ep === 'object' && ep !== null ? (ep as JsonObject) : undefined;
}

/** A valid stored encoding spec, or undefined. */
function parseSpec(value: unknown): EncodingSpec | undefined {
  if (isWeightEncoding(value)) return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as JsonObject);
  return entries.every(([, v]) => isWeightEncoding(v)) ? (Object.fromEntries(entries) as Record<string, WeightEncoding>) : undefined;
}

/** The encoding of a manifest's float weights: one string when uniform, else per weight name. */
export function encodingOfManifest(specs: readonly WeightSpec[]): EncodingSpec {
  const per: Record<string, WeightEncoding> = {};
  for (const s of specs) if (s.dtype === 'float32') per[s.name] = s.quantization?.dtype ?? 'float32';
  const kinds = new Set(Object.values(per));
  if (kinds.size <= 1) return [...kinds][0] ?? 'float32';
  return per;
}

/**
 * The encoding a writer keeps by default: the one recorded in the metadata (by `readBundle` from the
 * manifest, or kept across a float32 checkpoint), else the imported source's (`importedFrom.weightEncoding`),
 * else float32.
 */
export function sourceEncoding(bundle: ModelBundle): EncodingSpec {
  const stored = parseSpec(edgePruneOf(bundle.meta)?.[KEY]);
  if (stored !== undefined) return stored;
  const imported = bundle.meta['importedFrom'];
  const fromImport = typeof imported === 'object' && imported !== null ? (imported as JsonObject)[KEY] : undefined;
  return isWeightEncoding(fromImport) ? fromImport : 'float32';
}

/** A copy of `meta` recording `spec` (removed when float32, the default, so float32 models keep their metadata unchanged). */
export function withEncoding(meta: JsonObject, spec: EncodingSpec): JsonObject {
  const out = structuredClone(meta);
  const user = typeof out['userDefinedMetadata'] === 'object' && out['userDefinedMetadata'] !== null ? (out['userDefinedMetadata'] as JsonObject) : {};
  const edgePrune = edgePruneOf(out) ?? {};
  if (spec === 'float32') delete edgePrune[KEY];
  else edgePrune[KEY] = spec;
  if (Object.keys(edgePrune).length > 0) user['edgePrune'] = edgePrune;
  else delete user['edgePrune'];
  if (Object.keys(user).length > 0) out['userDefinedMetadata'] = user;
  else delete out['userDefinedMetadata'];
  return out;
}

/** The encoding of one weight under a spec (int32 weights are always stored as int32, reported as float32). */
export function encodingOf(spec: EncodingSpec, weight: Pick<WeightEntry, 'name' | 'dtype'>): WeightEncoding {
  if (weight.dtype === 'int32') return 'float32';
  return typeof spec === 'string' ? spec : (spec[weight.name] ?? 'float32');
}

/** The encoding holding most weight elements (for writers whose tensors are not the bundle's own, e.g. folded). */
export function dominantEncoding(spec: EncodingSpec, weights: readonly WeightEntry[]): WeightEncoding {
  if (typeof spec === 'string') return spec;
  const count = new Map<WeightEncoding, number>();
  for (const w of weights) if (w.dtype === 'float32') count.set(encodingOf(spec, w), (count.get(encodingOf(spec, w)) ?? 0) + w.data.length);
  let best: WeightEncoding = 'float32';
  for (const [e, n] of count) if (n > (count.get(best) ?? 0)) best = e;
  return best;
}

/** A short label of a spec: `uint8`, or `mixed (uint8 92%, float32 8%)` by elements. */
export function describeEncoding(spec: EncodingSpec, weights: readonly WeightEntry[]): string {
  if (typeof spec === 'string') return spec;
  const count = new Map<WeightEncoding, number>();
  let total = 0;
  for (const w of weights) {
    if (w.dtype !== 'float32') continue;
    count.set(encodingOf(spec, w), (count.get(encodingOf(spec, w)) ?? 0) + w.data.length);
    total += w.data.length;
  }
  const parts = [...count].sort((a, b) => b[1] - a[1]).map(([e, n]) => `${e} ${Math.round((100 * n) / Math.max(1, total))}%`);
  return parts.length === 1 ? (([...count][0] as [WeightEncoding, number])[0]) : `mixed (${parts.join(', ')})`;
}

/** The coarsest encoding a spec uses on float weights (what bounds an export's error). */
export function coarsestEncoding(spec: EncodingSpec, weights: readonly WeightEntry[]): WeightEncoding {
  let worst = 0;
  for (const w of weights) if (w.dtype === 'float32') worst = Math.max(worst, WEIGHT_ENCODINGS.indexOf(encodingOf(spec, w)));
  return WEIGHT_ENCODINGS[worst] as WeightEncoding;
}

/** Bytes the weights take on disk under a spec (int32 as 4 bytes). */
export function encodedBytes(spec: EncodingSpec, weights: readonly WeightEntry[]): number {
  return weights.reduce((n, w) => n + w.data.length * (w.dtype === 'int32' ? 4 : ENCODING_BYTES[encodingOf(spec, w)]), 0);
}
