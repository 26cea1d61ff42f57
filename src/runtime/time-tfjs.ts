// Times tfjs Layers models on the host's tfjs backend (wasm): warm-up runs, then timed runs.
import * as tf from '@tensorflow/tfjs';
import { fail } from '../core/errors.ts';
import type { JsonObject, ModelBundle } from '../core/types.ts';
import { bundleFromArtifacts } from '../bundle/artifacts.ts';
import { ensureBackend, toLayersModel } from './layers-model.ts';

/** How many runs to make. */
export interface TimingOptions {
  warmup: number;
  runs: number;
}

/** Per-run wall times of one model, in run order, plus the backend that ran them. */
export interface Timing {
  backend: string;
  /** Milliseconds of the first (cold) run, before warm-up. */
  firstMs: number;
  /** Milliseconds of each timed run. */
  runsMs: number[];
}

/** The tfjs version and backend of this process, for labelling measurements. */
export async function describeTfjs(): Promise<{ version: string; backend: string; simd: boolean; threads: boolean }> {
  const backend = await ensureBackend();
  const flag = (name: string): boolean => {
    try {
      return Boolean(tf.env().getBool(name));
    } catch {
      return false;
    }
  };
  return {
    version: tf.version.tfjs,
    backend,
    simd: backend === 'wasm' && flag('WASM_HAS_SIMD_SUPPORT'),
    threads: backend === 'wasm' && flag('WASM_HAS_MULTITHREAD_SUPPORT'),
  };
}

/** One predict call with the output read back to JS, as an application would run it. */
function runOnce(model: tf.LayersModel, input: tf.Tensor): number {
  const start = performance.now();
  const out = model.predict(input);
  const outputs = Array.isArray(out) ? out : [out];
  for (const t of outputs) t.dataSync();
  const ms = performance.now() - start;
  tf.dispose(outputs);
  return ms;
}

/** Time a loaded model on a seeded uniform input of the model's input shape (batch 1). */
export async function timeLayersModel(model: tf.LayersModel, options: TimingOptions): Promise<Timing> {
  const backend = await ensureBackend();
  const shape = model.inputs[0]?.shape;
  if (!shape || model.inputs.length !== 1 || shape.slice(1).some((d) => d === null)) {
    fail('INVALID_ARGUMENT', {
      expected: 'a model with one input of fixed size',
      found: `${model.inputs.length} inputs, shape ${JSON.stringify(shape)}`,
      where: 'latency timing',
      hint: 'give the model a fixed input size (e.g. [null, 32, 32, 3])',
    });
  }
  const input = tf.randomUniform([1, ...(shape.slice(1) as number[])], 0, 1, 'float32', 7);
  try {
    const firstMs = runOnce(model, input);
    for (let i = 0; i < options.warmup; i++) runOnce(model, input);
    const runsMs: number[] = [];
    for (let i = 0; i < options.runs; i++) runsMs.push(runOnce(model, input));
    return { backend, firstMs, runsMs };
  } finally {
    input.dispose();
  }
}

/** Time a Keras `modelTopology` with freshly initialized weights (for calibration shapes). */
export async function timeTopology(topology: JsonObject, options: TimingOptions): Promise<Timing> {
  await ensureBackend();
  const model = await tf.models.modelFromJSON({ modelTopology: topology as tf.serialization.ConfigDict });
  try {
    return await timeLayersModel(model, options);
  } finally {
    model.dispose();
  }
}

/** Time a bundle as tfjs would run it on the host. */
export async function timeBundle(bundle: ModelBundle, options: TimingOptions): Promise<Timing> {
  const model = await toLayersModel(bundle);
  try {
    return await timeLayersModel(model, options);
  } finally {
    model.dispose();
  }
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
