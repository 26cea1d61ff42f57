// Conversion between tfjs ModelArtifacts (in-memory save/load form) and ModelBundle.
import type { io } from '@tensorflow/tfjs';
import { fail } from '../core/errors.ts';
import type { JsonObject, ModelBundle } from '../core/types.ts';
import { parseManifest } from './manifest.ts';
import { decodeWeights, encodeWeights } from './weights-codec.ts';

/** Concatenate the artifacts' weight data (one buffer or a list) into bytes. */
function weightBytes(data: io.ModelArtifacts['weightData']): Uint8Array {
  if (!data) return new Uint8Array(0);
  const buffers = Array.isArray(data) ? data : [data];
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out;
}

/** Build a bundle from tfjs ModelArtifacts (e.g. captured with `tf.io.withSaveHandler`). */
export function bundleFromArtifacts(artifacts: io.ModelArtifacts): ModelBundle {
  const topology = artifacts.modelTopology;
  if (typeof topology !== 'object' || topology === null || topology instanceof ArrayBuffer) {
    fail('INVALID_MODEL', { expected: 'a Layers model topology', found: typeof topology, where: 'model artifacts', hint: 'only Layers models can be pruned' });
  }
  const [group] = parseManifest([{ paths: ['memory'], weights: artifacts.weightSpecs ?? [] }], 'model artifacts');
  const weights = decodeWeights(group?.weights ?? [], weightBytes(artifacts.weightData), 'model artifacts');
  const meta: JsonObject = {};
  if (artifacts.format) meta['format'] = artifacts.format;
  if (artifacts.generatedBy) meta['generatedBy'] = artifacts.generatedBy;
  if (artifacts.convertedBy !== undefined) meta['convertedBy'] = artifacts.convertedBy;
  return { topology: structuredClone(topology) as JsonObject, weights, meta };
}

/** Turn a bundle into tfjs ModelArtifacts (float32 weights), e.g. for `tf.io.fromMemory`. */
export function bundleToArtifacts(bundle: ModelBundle): io.ModelArtifacts {
  const { specs, bytes } = encodeWeights(bundle.weights);
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return {
    modelTopology: bundle.topology as io.ModelArtifacts['modelTopology'],
    format: 'layers-model',
    generatedBy: 'edge-prune',
    weightSpecs: specs as io.WeightsManifestEntry[],
    weightData,
  };
}
