// Loads exported TF.js bundles back from disk (graph models via loadGraphModel, Layers models via loadLayersModel) and runs them.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { EdgePruneError, fail } from '../core/errors.ts';
import { resolveInside } from '../bundle/safe-path.ts';
import { installActivationLayers } from './activation-layers.ts';
import { ensureBackend, runLayersModel } from './layers-model.ts';

/**
 * An IO handler that reads model.json and its shards from a folder (shard paths must stay inside it),
 * so tfjs loads the bundle exactly as a browser would fetch it.
 */
export function createDiskLoadHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async () => {
      const dir = dirname(modelJsonPath);
      const modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const real = await resolveInside(dir, p, modelJsonPath);
            if (!real) fail('MISSING_WEIGHTS', { expected: `weight shard "${p}"`, found: 'no such file', where: modelJsonPath, hint: 'the exported bundle is incomplete' });
            const bytes = await readFile(real);
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/** Wrap a tfjs load failure as INVALID_MODEL naming the file. */
function wrapLoadError(error: unknown, path: string, loader: string): EdgePruneError {
  if (error instanceof EdgePruneError) return error;
  return new EdgePruneError(
    'INVALID_MODEL',
    { expected: `a bundle ${loader} accepts`, found: (error as Error).message, where: path, hint: 'the exported bundle is malformed; rerun with --debug and report it' },
    { cause: error },
  );
}

/** Load a graph model (model.json with `format: graph-model`) from disk with tfjs-converter's loadGraphModel. */
export async function loadGraphModelFromDisk(modelJsonPath: string): Promise<tf.GraphModel> {
  await ensureBackend();
  try {
    return await tf.loadGraphModel(createDiskLoadHandler(modelJsonPath));
  } catch (error) {
    throw wrapLoadError(error, modelJsonPath, 'tf.loadGraphModel');
  }
}

/** Run a graph model on one channels-last input; returns every output as float32, leaving no tensors behind. */
export async function runGraphModel(model: tf.GraphModel, input: Float32Array, shape: number[]): Promise<Float32Array[]> {
  const outputs = tf.tidy(() => {
    const y = model.predict(tf.tensor(input, shape, 'float32'));
    return Array.isArray(y) ? y : y instanceof tf.Tensor ? [y] : Object.values(y);
  });
  try {
    const values: Float32Array[] = [];
    for (const t of outputs) values.push(Float32Array.from(await t.data()));
    return values;
  } finally {
    tf.dispose(outputs);
  }
}

/** Load a graph model from disk, run it once, dispose it. */
export async function predictGraphModelFromDisk(modelJsonPath: string, input: Float32Array, shape: number[]): Promise<Float32Array[]> {
  const model = await loadGraphModelFromDisk(modelJsonPath);
  try {
    return await runGraphModel(model, input, shape);
  } finally {
    model.dispose();
  }
}

/** Load a Layers model from disk with tf.loadLayersModel (dequantizing float16/uint8 weights), run it once, dispose it. */
export async function predictLayersModelFromDisk(modelJsonPath: string, input: Float32Array, shape: number[]): Promise<Float32Array[]> {
  await ensureBackend();
  installActivationLayers();
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(createDiskLoadHandler(modelJsonPath));
  } catch (error) {
    throw wrapLoadError(error, modelJsonPath, 'tf.loadLayersModel');
  }
  try {
    return await runLayersModel(model, input, shape);
  } finally {
    model.dispose();
  }
}
