// Input normalization of a model (stored in its metadata) and the pixel → float conversion it implies.
import { fail } from '../core/errors.ts';
import type { JsonObject, ModelBundle } from '../core/types.ts';
import { buildGraph } from '../analyze/graph.ts';

/**
 * How raw pixels (0..255) become model inputs. `mean`/`std` are per channel on the 0..1 scale:
 * `x = (p / 255 − mean[c]) / std[c]`. `scale`/`offset`: `x = p · scale + offset`.
 * Stored in model.json as `userDefinedMetadata.edgePrune.normalization`.
 */
export type Normalization = { mean: number[]; std: number[] } | { scale: number; offset?: number };

/** The default when neither the model nor a flag says: pixels / 255. */
export const DEFAULT_NORMALIZATION: Normalization = { scale: 1 / 255, offset: 0 };

/** The `edgePrune` object of a bundle's user-defined metadata, if present. */
function edgePruneMeta(bundle: ModelBundle): JsonObject | undefined {
  const user = bundle.meta['userDefinedMetadata'];
  if (typeof user !== 'object' || user === null) return undefined;
  const ours = (user as JsonObject)['edgePrune'];
  return typeof ours === 'object' && ours !== null ? (ours as JsonObject) : undefined;
}

/** Check a normalization value read from a file or a flag. */
export function parseNormalization(value: unknown, where: string): Normalization {
  const v = value as Record<string, unknown> | null;
  const numbers = (x: unknown): x is number[] => Array.isArray(x) && x.length > 0 && x.every((n) => typeof n === 'number' && Number.isFinite(n));
  if (v && numbers(v['mean']) && numbers(v['std']) && v['mean'].length === v['std'].length && v['std'].every((s) => s > 0)) {
    return { mean: [...v['mean']], std: [...v['std']] };
  }
  if (v && typeof v['scale'] === 'number' && Number.isFinite(v['scale']) && (v['offset'] === undefined || typeof v['offset'] === 'number')) {
    return { scale: v['scale'], offset: (v['offset'] as number | undefined) ?? 0 };
  }
  fail('INVALID_ARGUMENT', {
    expected: '{"mean":[...],"std":[...]} (0..1 scale, one entry per channel) or {"scale":s,"offset":o}',
    found: JSON.stringify(value) ?? 'nothing',
    where,
    hint: 'e.g. --mean 0.4914,0.4822,0.4465 --std 0.2470,0.2435,0.2616, or --scale 0.00392157',
  });
}

/** The normalization stored in a bundle's metadata, if any. */
export function readNormalization(bundle: ModelBundle): Normalization | undefined {
  const stored = edgePruneMeta(bundle)?.['normalization'];
  return stored === undefined ? undefined : parseNormalization(stored, 'model.json userDefinedMetadata.edgePrune.normalization');
}

/** Class names stored in a bundle's metadata, if any. */
export function readClassNames(bundle: ModelBundle): string[] | undefined {
  const classes = edgePruneMeta(bundle)?.['classes'];
  return Array.isArray(classes) && classes.every((c) => typeof c === 'string') ? (classes as string[]) : undefined;
}

/** A copy of the bundle with `fields` merged into `userDefinedMetadata.edgePrune`. */
export function withEdgePruneMeta(bundle: ModelBundle, fields: JsonObject): ModelBundle {
  const user = (typeof bundle.meta['userDefinedMetadata'] === 'object' && bundle.meta['userDefinedMetadata'] !== null ? bundle.meta['userDefinedMetadata'] : {}) as JsonObject;
  const meta: JsonObject = { ...bundle.meta, userDefinedMetadata: { ...user, edgePrune: { ...(edgePruneMeta(bundle) ?? {}), ...fields } } };
  return { ...bundle, meta };
}

/** Per-channel lookup tables `lut[c · 256 + p]` giving the model input for pixel value p. */
export function normalizationTable(n: Normalization, channels: number): Float32Array {
  const lut = new Float32Array(channels * 256);
  for (let c = 0; c < channels; c++) {
    let a: number;
    let b: number;
    if ('mean' in n) {
      const mean = n.mean.length === 1 ? (n.mean[0] as number) : n.mean[c];
      const std = n.std.length === 1 ? (n.std[0] as number) : n.std[c];
      if (mean === undefined || std === undefined) {
        fail('INVALID_DATA', { expected: `mean/std with 1 or ${channels} entries`, found: `${n.mean.length}`, where: 'normalization', hint: 'give one mean and std per input channel' });
      }
      a = 1 / (255 * std);
      b = -mean / std;
    } else {
      a = n.scale;
      b = n.offset ?? 0;
    }
    for (let p = 0; p < 256; p++) lut[c * 256 + p] = p * a + b;
  }
  return lut;
}

/** The model's input shape `[height, width, channels]` (one image input, channels-last). */
export function modelInputShape(bundle: ModelBundle): [number, number, number] {
  const graph = buildGraph(bundle, { lockUnknown: true });
  const input = graph.nodes.find((n) => n.name === graph.inputs[0]);
  const shape = input?.outputShape ?? [];
  if (graph.inputs.length !== 1 || shape.length !== 3 || shape.some((d) => !(d > 0))) {
    fail('INVALID_MODEL', { expected: 'one image input of shape [height, width, channels]', found: `${graph.inputs.length} input(s), shape [${shape.join(', ')}]`, where: 'model input', hint: 'fine-tuning supports single-input image classifiers with a fixed input size' });
  }
  return shape as [number, number, number];
}
