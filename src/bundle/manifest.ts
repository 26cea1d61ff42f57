// Validation of model.json's weightsManifest: specs, shapes, dtypes and quantization entries.
import { fail } from '../core/errors.ts';
import { MAX_WEIGHT_ELEMENTS, elementCount, type WeightSpec } from './weights-codec.ts';

/** One group of a weights manifest: shard paths and the weights stored in them, in order. */
export interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** Throw a typed INVALID_MODEL error about a manifest field. */
function bad(where: string, expected: string, found: unknown): never {
  fail('INVALID_MODEL', {
    expected,
    found: JSON.stringify(found)?.slice(0, 120) ?? String(found),
    where,
    hint: 'model.json is malformed; re-export it with tensorflowjs_converter or tfjs model.save',
  });
}

/** Validate one weight spec. */
function parseSpec(raw: unknown, where: string): WeightSpec {
  if (typeof raw !== 'object' || raw === null) bad(where, 'a weight spec object', raw);
  const spec = raw as Record<string, unknown>;
  if (typeof spec['name'] !== 'string' || spec['name'] === '') bad(`${where}.name`, 'a weight name', spec['name']);
  const shape = spec['shape'];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0 && d <= MAX_WEIGHT_ELEMENTS)) {
    bad(`${where}.shape`, 'a list of non-negative integer sizes', shape);
  }
  if (elementCount(shape as number[]) > MAX_WEIGHT_ELEMENTS) {
    bad(`${where}.shape`, `at most ${MAX_WEIGHT_ELEMENTS} elements per weight`, shape);
  }
  const dtype = spec['dtype'];
  if (dtype !== 'float32' && dtype !== 'int32') bad(`${where}.dtype`, 'float32 or int32', dtype);
  const out: WeightSpec = { name: spec['name'] as string, shape: [...(shape as number[])], dtype };
  const q = spec['quantization'];
  if (q !== undefined) {
    if (typeof q !== 'object' || q === null) bad(`${where}.quantization`, 'a quantization object', q);
    const qq = q as Record<string, unknown>;
    if (qq['dtype'] !== 'uint8' && qq['dtype'] !== 'uint16' && qq['dtype'] !== 'float16') {
      bad(`${where}.quantization.dtype`, 'uint8, uint16 or float16', qq['dtype']);
    }
    if (qq['dtype'] !== 'float16') {
      for (const field of ['min', 'scale'] as const) {
        if (typeof qq[field] !== 'number' || !Number.isFinite(qq[field])) bad(`${where}.quantization.${field}`, 'a finite number', qq[field]);
      }
    }
    out.quantization = {
      dtype: qq['dtype'] as 'uint8' | 'uint16' | 'float16',
      ...(typeof qq['min'] === 'number' ? { min: qq['min'] } : {}),
      ...(typeof qq['scale'] === 'number' ? { scale: qq['scale'] } : {}),
    };
  }
  return out;
}

/** Validate a whole weightsManifest; names must be unique. */
export function parseManifest(raw: unknown, file: string): ManifestGroup[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) bad(`${file}: weightsManifest`, 'a list of weight groups', raw);
  const seen = new Set<string>();
  return raw.map((group, g) => {
    const where = `${file}: weightsManifest[${g}]`;
    if (typeof group !== 'object' || group === null) bad(where, 'a group object', group);
    const { paths, weights } = group as Record<string, unknown>;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && p.length > 0)) bad(`${where}.paths`, 'a list of shard file names', paths);
    if (!Array.isArray(weights)) bad(`${where}.weights`, 'a list of weight specs', weights);
    const specs = weights.map((w, i) => parseSpec(w, `${where}.weights[${i}]`));
    for (const spec of specs) {
      if (seen.has(spec.name)) bad(`${where}`, 'unique weight names', spec.name);
      seen.add(spec.name);
    }
    return { paths: paths as string[], weights: specs };
  });
}
