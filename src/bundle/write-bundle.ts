// Writes a ModelBundle as a TF.js Layers model (model.json + shards of at most 4 MB), crash-safely.
import { basename, join } from 'node:path';
import type { JsonObject, ModelBundle } from '../core/types.ts';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-write.ts';
import { encodeWeightsAs } from './quantize.ts';
import { sourceEncoding, withEncoding, type EncodingSpec } from './encoding.ts';

/** Options for writing a bundle. */
export interface WriteOptions {
  /** Largest shard in bytes (TF.js default: 4 MiB). */
  shardBytes?: number;
  /**
   * Store every weight in this encoding (the manifest's standard `quantization` entries). Default: the
   * source's encoding as the bundle records it (`sourceEncoding`), weight by weight.
   */
  weights?: EncodingSpec;
  /** Record the source's encoding in the metadata although the weights are stored otherwise (float32 checkpoints). */
  rememberSource?: boolean;
  /** Prefix of shard file names (default `group1`). */
  shardPrefix?: string;
}

/** Default shard size: 4 MiB, as tfjs writes. */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

/** The model.json object and shard buffers of a bundle, without touching the disk. */
export function serializeBundle(bundle: ModelBundle, options: WriteOptions = {}): { modelJson: JsonObject; shards: { name: string; bytes: Uint8Array }[] } {
  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  const source = sourceEncoding(bundle);
  const { specs, bytes } = encodeWeightsAs(bundle.weights, options.weights ?? source);
  const count = Math.max(1, Math.ceil(bytes.byteLength / shardBytes));
  const prefix = options.shardPrefix ?? 'group1';
  const shards = Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-shard${i + 1}of${count}.bin`,
    bytes: bytes.subarray(i * shardBytes, Math.min(bytes.byteLength, (i + 1) * shardBytes)),
  }));
  const modelJson: JsonObject = {
    format: 'layers-model',
    generatedBy: 'edge-prune',
    convertedBy: null,
    ...withEncoding(bundle.meta, options.rememberSource === true ? source : 'float32'),
    modelTopology: bundle.topology,
    weightsManifest: [{ paths: shards.map((s) => s.name), weights: specs }],
  };
  return { modelJson, shards };
}

/**
 * Write a bundle into `outDir` as model.json + shards. Each file is written to a temporary name and
 * renamed; model.json is renamed last, so a folder never holds a model.json whose shards are missing.
 * Returns the path of model.json.
 */
export async function writeBundle(bundle: ModelBundle, outDir: string, options: WriteOptions = {}): Promise<string> {
  const { modelJson, shards } = serializeBundle(bundle, options);
  for (const shard of shards) await writeFileAtomic(join(outDir, basename(shard.name)), shard.bytes);
  const path = join(outDir, 'model.json');
  await writeJsonAtomic(path, modelJson);
  return path;
}
