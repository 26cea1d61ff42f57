// The tfjs forward pass of a bundle: loads it as a tf.LayersModel and runs it on wasm (else cpu); fresh-weight bundles from a topology.
import { buildTrainableModel } from './train-model.ts';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { fail } from '../core/errors.ts';
import type { JsonObject, ModelBundle } from '../core/types.ts';
import { bundleFromArtifacts } from '../bundle/artifacts.ts';

let backendReady: Promise<string> | undefined;

/** Folder holding the tfjs wasm binaries, as a path the Node loader can read. */
function wasmFolder(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

/**
 * The wasm module (emscripten) installs process-wide `uncaughtException`/`unhandledRejection`
 * handlers that rethrow, which makes Node print the whole minified module as the error's source
 * line. Remove the handlers it added, restoring Node's own reporting.
 */
async function withoutEmscriptenHandlers<T>(run: () => Promise<T>): Promise<T> {
  const exceptions = new Set(process.listeners('uncaughtException'));
  const rejections = new Set(process.listeners('unhandledRejection'));
  try {
    return await run();
  } finally {
    for (const l of process.listeners('uncaughtException')) if (!exceptions.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!rejections.has(l)) process.removeListener('unhandledRejection', l);
  }
}

/** Choose the wasm backend (XNNPACK) when it initializes here, else cpu; returns the backend's name. */
async function chooseBackend(): Promise<string> {
  try {
    setWasmPaths(wasmFolder());
    const ok = await withoutEmscriptenHandlers(async () => (await tf.setBackend('wasm')) && (await tf.ready(), true));
    if (ok) return tf.getBackend();
  } catch {
    // fall through to cpu
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return tf.getBackend();
}

/**
 * Make sure a tfjs backend is ready (wasm preferred, cpu otherwise) and return its name.
 * Safe to call many times; the choice is made once per process.
 */
export function ensureBackend(): Promise<string> {
  backendReady ??= chooseBackend();
  return backendReady;
}

/**
 * Load a bundle as a tfjs LayersModel (weights as float32). The caller owns the model and must
 * `dispose()` it.
 */
export async function toLayersModel(bundle: ModelBundle): Promise<tf.LayersModel> {
  await ensureBackend();
  return buildTrainableModel(bundle);
}

/** Run a loaded model on one input; returns every output as float32, leaving no tensors behind. */
export async function runLayersModel(model: tf.LayersModel, input: Float32Array, shape: number[]): Promise<Float32Array[]> {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== input.length) {
    fail('INVALID_ARGUMENT', { expected: `${size} input values for shape [${shape.join(', ')}]`, found: `${input.length}`, where: 'predict input', hint: 'pass the input shape with the batch dimension first' });
  }
  const outputs = tf.tidy(() => {
    const x = tf.tensor(input, shape, 'float32');
    const y = model.predict(x);
    return Array.isArray(y) ? y : [y];
  });
  try {
    const values: Float32Array[] = [];
    for (const t of outputs) values.push(Float32Array.from(await t.data()));
    return values;
  } finally {
    tf.dispose(outputs);
  }
}

/** Forward pass of a bundle on every output: load, run, dispose. */
export async function predictOutputs(bundle: ModelBundle, input: Float32Array, shape: number[]): Promise<Float32Array[]> {
  const model = await toLayersModel(bundle);
  try {
    return await runLayersModel(model, input, shape);
  } finally {
    model.dispose();
  }
}

/**
 * Forward pass of a single-output bundle on `input` (channels-last, batch first in `shape`),
 * on the wasm backend when available, else cpu. Leaves no tensors behind.
 */
export async function predict(bundle: ModelBundle, input: Float32Array, shape: number[]): Promise<Float32Array> {
  const outputs = await predictOutputs(bundle, input, shape);
  if (outputs.length !== 1) {
    fail('INVALID_ARGUMENT', { expected: 'a model with one output', found: `${outputs.length} outputs`, where: 'predict', hint: 'use predictOutputs for models with several outputs' });
  }
  return outputs[0] as Float32Array;
}

/** Number of live tfjs tensors, for leak checks in tests. */
export function countTensors(): number {
  return tf.memory().numTensors;
}

/**
 * A bundle for a Keras `modelTopology` with weights freshly initialized by its layers' initializers
 * (seeded per process by tfjs; values do not matter for timing).
 */
export async function initializeBundle(topology: JsonObject): Promise<ModelBundle> {
  await ensureBackend();
  const model = await tf.models.modelFromJSON({ modelTopology: topology as tf.serialization.ConfigDict });
  try {
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    if (!saved) fail('INTERNAL', { expected: 'saved model artifacts', found: 'none', where: 'initializeBundle', hint: 'report this bug' });
    return bundleFromArtifacts(saved);
  } finally {
    model.dispose();
  }
}
