// Models, datasets and JSON in the store: one blob each (model.json + its weights in one buffer; the dataset cache's binary form).
import type { ModelBundle } from '../core/types.ts';
import { fail } from '../core/errors.ts';
import { serializeBundle } from '../bundle/write-bundle.ts';
import { parseManifest } from '../bundle/manifest.ts';
import { decodeWeights } from '../bundle/weights-codec.ts';
import { requireFinite } from '../bundle/read-bundle.ts';
import type { ImageDataset } from '../data/dataset.ts';
import { UNLABELLED_CLASS } from '../data/dataset.ts';
import { decodeDataset, encodeDataset } from '../data/data-cache.ts';
import type { ContentStore, StoreRef } from './store.ts';

const MODEL_MAGIC = 'EPMODEL1';

/** A bundle as one blob: magic, u32 length, model.json, float32 weights (lossless; the source's encoding stays recorded in the metadata). */
export function encodeBundle(bundle: ModelBundle): Uint8Array {
  const { modelJson, shards } = serializeBundle(bundle, { shardBytes: Number.MAX_SAFE_INTEGER, shardPrefix: 'weights', weights: 'float32', rememberSource: true });
  const json = Buffer.from(JSON.stringify(modelJson), 'utf8');
  const weights = shards[0]?.bytes ?? new Uint8Array(0);
  const out = new Uint8Array(12 + json.length + weights.byteLength);
  out.set(Buffer.from(MODEL_MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(weights, 12 + json.length);
  return out;
}

/** A bundle from its blob; a typed error when the bytes are not one. */
export function decodeBundle(bytes: Uint8Array, where: string): ModelBundle {
  const bad = (found: string): never => fail('INVALID_MODEL', { expected: 'a model blob written by edge-prune', found, where, hint: 'the store holds something else under this hash; let the coordinator store the model again' });
  if (bytes.length < 12 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== MODEL_MAGIC) bad('other bytes');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(Buffer.from(bytes.subarray(12, 12 + length)).toString('utf8')) as Record<string, unknown>;
  } catch {
    return bad('a header that is not JSON');
  }
  const { modelTopology, weightsManifest, ...meta } = json;
  if (typeof modelTopology !== 'object' || modelTopology === null) bad('no modelTopology');
  const groups = parseManifest(weightsManifest, where);
  const weights = decodeWeights(groups.flatMap((g) => g.weights), bytes.slice(12 + length), where);
  requireFinite(weights, where);
  return { topology: modelTopology as ModelBundle['topology'], weights, meta: meta as ModelBundle['meta'] };
}

/** A dataset from its blob (unlabelled when its one class is the unlabelled pseudo-class). */
export function decodeDatasetBlob(bytes: Uint8Array, source: string): ImageDataset {
  const data = decodeDataset(bytes, source);
  if (!data) fail('INVALID_DATA', { expected: 'a dataset blob written by edge-prune', found: 'other bytes', where: source, hint: 'let the coordinator store the data again' });
  return data.classes.length === 1 && data.classes[0] === UNLABELLED_CLASS ? { ...data, unlabelled: true } : data;
}

/** Put a model into the store. */
export function putBundle(store: ContentStore, bundle: ModelBundle): Promise<StoreRef> {
  return store.put(encodeBundle(bundle));
}

/** Put a dataset into the store. */
export function putDataset(store: ContentStore, data: ImageDataset): Promise<StoreRef> {
  return store.put(encodeDataset(data));
}

/** Put a JSON value into the store (stable text: the same value gives the same hash). */
export function putJson(store: ContentStore, value: unknown): Promise<StoreRef> {
  return store.put(JSON.stringify(value));
}
