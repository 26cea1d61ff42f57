// Reads a TF.js Layers model (model.json + shards) from disk into a ModelBundle, checking everything first.
import { open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fail } from '../core/errors.ts';
import type { JsonObject, ModelBundle, WeightEntry } from '../core/types.ts';
import { parseManifest } from './manifest.ts';
import { resolveInside, shownPath } from './safe-path.ts';
import { decodeWeights, elementCount, storedBytesPerElement } from './weights-codec.ts';
import { requireModelFileSize } from './model-file.ts';
import { encodingOfManifest, sourceEncoding, withEncoding } from './encoding.ts';

/** Largest model.json edge-prune reads (the topology only; weights live in shards). */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;

/** Deepest JSON nesting accepted in model.json (Keras configs nest about 10 levels; recursive walkers overflow near 5,000). */
export const MAX_JSON_DEPTH = 128;

/** Most weight elements of a whole model (2^28 floats = 1 GiB decoded), checked before any allocation. */
export const MAX_MODEL_ELEMENTS = 2 ** 28;

/** Nesting depth of a parsed JSON value, walked iteratively; stops counting past `limit`. */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: { v: unknown; d: number }[] = [{ v: value, d: 1 }];
  while (stack.length > 0) {
    const { v, d } = stack.pop() as { v: unknown; d: number };
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, d);
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push({ v: child, d: d + 1 });
  }
  return deepest;
}

/** Read and parse model.json, with typed errors for a missing, huge or invalid file. */
export async function readModelJson(path: string): Promise<JsonObject> {
  await requireModelFileSize(path, { what: 'a model.json file', missingHint: 'pass the path of a TF.js Layers model.json', maxBytes: MAX_MODEL_JSON_BYTES, tooLargeHint: 'weights belong in shard files, not in model.json' });
  const text = await readFile(path, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail('INVALID_JSON', {
      expected: 'valid JSON',
      found: (error as Error).message,
      where: path,
      hint: 'the file is not JSON (truncated or not a model.json?)',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail('INVALID_MODEL', { expected: 'a JSON object', found: Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed, where: path, hint: 'pass a TF.js Layers model.json' });
  }
  if (jsonDepth(parsed, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    fail('INVALID_MODEL', { expected: `JSON nested at most ${MAX_JSON_DEPTH} levels deep`, found: 'deeper nesting', where: path, hint: 'the file is not a model.json written by Keras or tfjs' });
  }
  return parsed as JsonObject;
}

/** Read a whole shard group into one buffer after checking its files' sizes against the manifest. */
export async function readShards(dir: string, paths: string[], expected: number, modelJson: string): Promise<Uint8Array> {
  const files: { path: string; size: number }[] = [];
  for (const p of paths) {
    const real = await resolveInside(dir, p, modelJson);
    if (!real) {
      fail('MISSING_WEIGHTS', { expected: `weight shard "${shownPath(p)}"`, found: 'no such file', where: modelJson, hint: 'copy every shard named in weightsManifest next to model.json' });
    }
    const info = await stat(real);
    if (!info.isFile()) {
      fail('MISSING_WEIGHTS', { expected: `weight shard "${shownPath(p)}" as a regular file`, found: info.isDirectory() ? 'a folder' : 'a special file (FIFO, socket or device)', where: modelJson, hint: 'weightsManifest paths must name the shard files beside model.json' });
    }
    files.push({ path: real, size: info.size });
  }
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total !== expected) {
    fail('WEIGHTS_MISMATCH', {
      expected: `${expected} bytes in shards ${shownPath(paths.join(', '))} (from the manifest's shapes and dtypes)`,
      found: `${total} bytes`,
      where: modelJson,
      hint: total < expected ? 'a shard is truncated: re-copy or re-export the model' : 'the shards hold more data than the manifest describes: they belong to another model',
    });
  }
  const bytes = new Uint8Array(expected);
  let offset = 0;
  for (const f of files) {
    const handle = await open(f.path, 'r');
    try {
      const { bytesRead } = await handle.read(bytes, offset, f.size, 0);
      if (bytesRead !== f.size) {
        fail('WEIGHTS_MISMATCH', { expected: `${f.size} bytes in ${f.path}`, found: `${bytesRead} bytes read`, where: modelJson, hint: 'the shard changed while it was read; retry' });
      }
    } finally {
      await handle.close();
    }
    offset += f.size;
  }
  return bytes;
}

/** Reject NaN or infinite weights: they make every later stage meaningless. */
export function requireFinite(weights: WeightEntry[], modelJson: string): void {
  for (const w of weights) {
    for (let i = 0; i < w.data.length; i++) {
      if (!Number.isFinite(w.data[i])) {
        fail('INVALID_MODEL', { expected: 'finite weight values', found: `${w.data[i]} at index ${i}`, where: `${modelJson}: weight "${w.name}"`, hint: 'the model diverged or the shard is corrupt; re-export a trained model' });
      }
    }
  }
}

/**
 * Load a TF.js Layers model from disk. Sizes are checked against the manifest before any weight
 * buffer is allocated; quantized weights are dequantized to float32, and their encoding is recorded in
 * the metadata (`sourceEncoding`) so that writers store them alike.
 */
export async function readBundle(modelJsonPath: string): Promise<ModelBundle> {
  const json = await readModelJson(modelJsonPath);
  const { modelTopology, weightsManifest, ...meta } = json;
  if (typeof modelTopology !== 'object' || modelTopology === null || Array.isArray(modelTopology)) {
    fail('INVALID_MODEL', { expected: 'a "modelTopology" object', found: JSON.stringify(modelTopology) ?? 'nothing', where: modelJsonPath, hint: 'pass a TF.js Layers model.json (graph models cannot be pruned)' });
  }
  const groups = parseManifest(weightsManifest, modelJsonPath);
  const elements = groups.reduce((n, g) => n + g.weights.reduce((m, s) => m + elementCount(s.shape), 0), 0);
  if (elements > MAX_MODEL_ELEMENTS) {
    fail('INVALID_MODEL', { expected: `at most ${MAX_MODEL_ELEMENTS} weight values in the whole model`, found: `${elements} in weightsManifest`, where: modelJsonPath, hint: 'edge-prune handles models up to 1 GiB of float32 weights' });
  }
  const dir = dirname(modelJsonPath);
  const weights: WeightEntry[] = [];
  for (const group of groups) {
    const expected = group.weights.reduce((n, s) => n + elementCount(s.shape) * storedBytesPerElement(s), 0);
    const bytes = await readShards(dir, group.paths, expected, modelJsonPath);
    weights.push(...decodeWeights(group.weights, bytes, modelJsonPath));
  }
  requireFinite(weights, modelJsonPath);
  const bundle: ModelBundle = { topology: modelTopology as JsonObject, weights, meta };
  // The manifest's encoding is what writers keep, unless the file records its source's (a float32 checkpoint).
  if (sourceEncoding(bundle) === 'float32') bundle.meta = withEncoding(meta, encodingOfManifest(groups.flatMap((g) => g.weights)));
  return bundle;
}
