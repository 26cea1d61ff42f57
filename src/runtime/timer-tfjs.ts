// The tfjs engine timer (wasm backend in Node, cpu when wasm cannot start): loads a model and runs it under the shared timing protocol.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { EdgePruneError, fail } from '../core/errors.ts';
import { uniformArray } from '../core/random.ts';
import type { ModelBundle } from '../core/types.ts';
import { createDiskLoadHandler } from './graph-model.ts';
import { ensureBackend, toLayersModel } from './layers-model.ts';
import { measureLoaded, type EngineInfo, type ProtocolOptions, type RawTiming, type TimedModel } from './timing.ts';
import { registerThreadedWasm } from './wasm-threaded.ts';

/** What to load: an in-memory bundle (calibration), or an exported Layers or graph model on disk (verify). */
export type TfjsSource = ({ bundle: ModelBundle } | { modelJsonPath: string; format: 'tfjs' | 'tfjs-graph' }) & {
  /** Input shape without the batch axis (channels-last); default the model's own (which must be fixed). */
  inputShape?: number[];
};

/** Engine options. */
export interface TfjsTimerOptions {
  /** wasm threads wanted; more than 1 loads the threaded SIMD build (only before the backend starts). Default 1. */
  threads?: number;
}

let threadedRequested = false;

/** A flag of the tfjs environment, false when unknown. */
function readFlag(name: string): boolean {
  try {
    return Boolean(tf.env().getBool(name));
  } catch {
    return false;
  }
}

/** Start the tfjs backend (the threaded wasm build first when `threads` > 1 and no wasm backend is registered yet). */
async function startBackend(threads: number): Promise<string> {
  // Only before the wasm backend starts: re-registering a live backend would dispose its tensors.
  if (threads > 1 && !threadedRequested && !('wasm' in tf.engine().registry)) {
    threadedRequested = true;
    registerThreadedWasm(threads);
  }
  return ensureBackend();
}

/** The tfjs engine of this process (starting its backend), for labelling measurements. */
export async function describeTfjs(options: TfjsTimerOptions = {}): Promise<EngineInfo> {
  const backend = await startBackend(options.threads ?? 1);
  const wasm = backend === 'wasm';
  return {
    runtime: 'tfjs-wasm',
    backend,
    version: tf.version.tfjs,
    runtimeVersion: `tfjs ${tf.version.tfjs} (Node ${process.versions.node})`,
    threads: wasm ? getThreadsCount() : 1,
    simd: wasm && readFlag('WASM_HAS_SIMD_SUPPORT'),
  };
}

/** Bytes of the wasm backend's linear memory: it only grows, so this is the process's high-water mark. */
function readWasmHeapBytes(): number | null {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.buffer.byteLength ?? null;
}

/** Load a source as a tfjs model; INVALID_MODEL when tfjs cannot load an exported bundle. */
async function loadModel(source: TfjsSource): Promise<tf.LayersModel | tf.GraphModel> {
  if ('bundle' in source) return toLayersModel(source.bundle);
  try {
    const handler = createDiskLoadHandler(source.modelJsonPath);
    return source.format === 'tfjs' ? await tf.loadLayersModel(handler) : await tf.loadGraphModel(handler);
  } catch (error) {
    if (error instanceof EdgePruneError) throw error;
    throw new EdgePruneError(
      'INVALID_MODEL',
      { expected: `a ${source.format} bundle tfjs loads`, found: (error as Error).message, where: source.modelJsonPath, hint: 're-export the model; rerun with --debug if it persists' },
      { cause: error },
    );
  }
}

/** The batch-1 input shape of a loaded model; INVALID_ARGUMENT unless it has one input of fixed size. */
function inputShapeOf(model: tf.LayersModel | tf.GraphModel, given: number[] | undefined): number[] {
  if (given) return [1, ...given];
  const shape = model.inputs[0]?.shape;
  if (!shape || model.inputs.length !== 1 || shape.slice(1).some((d) => d === null || d < 0)) {
    fail('INVALID_ARGUMENT', {
      expected: 'a model with one input of fixed size',
      found: `${model.inputs.length} inputs, shape ${JSON.stringify(shape)}`,
      where: 'latency timing',
      hint: 'give the model a fixed input size (e.g. [null, 32, 32, 3])',
    });
  }
  return [1, ...(shape.slice(1) as number[])];
}

/**
 * Load a model on tfjs for timing: each `run()` is one predict on a seeded uniform batch-1 input with
 * every output read back (`dataSync`), as an application runs it. Peak memory: the wasm linear memory
 * (a process high-water mark), else the tfjs tensor bytes live at the peak of a run.
 */
export async function loadTfjsTimer(source: TfjsSource, options: TfjsTimerOptions = {}): Promise<TimedModel> {
  const info = await describeTfjs(options);
  const model = await loadModel(source);
  let input: tf.Tensor;
  try {
    const shape = inputShapeOf(model, source.inputShape);
    input = tf.tensor(uniformArray(shape.reduce((a, b) => a * b, 1), 7), shape, 'float32');
  } catch (error) {
    model.dispose();
    throw error;
  }
  let peakLive = 0;
  return {
    info,
    run: async () => {
      const start = performance.now();
      const out = model.predict(input) as tf.Tensor | tf.Tensor[] | tf.NamedTensorMap;
      const outputs = out instanceof tf.Tensor ? [out] : Array.isArray(out) ? out : Object.values(out);
      for (const t of outputs) t.dataSync();
      const ms = performance.now() - start;
      peakLive = Math.max(peakLive, tf.memory().numBytes);
      tf.dispose(outputs);
      return ms;
    },
    peakMemory: () => {
      const heap = info.backend === 'wasm' ? readWasmHeapBytes() : null;
      return heap !== null
        ? { bytes: heap, source: 'wasm linear memory of the process (high-water mark)' }
        : { bytes: peakLive, source: 'tfjs tensor bytes at the peak of a run' };
    },
    release: async () => {
      input.dispose();
      model.dispose();
    },
  };
}

/** Measure a source on tfjs with the shared protocol (cold run, `warmup` untimed, `runs` timed). */
export async function measureTfjs(source: TfjsSource, options: ProtocolOptions & TfjsTimerOptions): Promise<RawTiming> {
  return measureLoaded(() => loadTfjsTimer(source, options), options);
}
