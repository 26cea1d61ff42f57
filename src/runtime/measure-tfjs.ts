// Times an exported TF.js bundle (Layers or graph model) on tfjs's wasm backend in Node: cold run, warm-up, timed runs.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { EdgePruneError } from '../core/errors.ts';
import type { RawTiming } from './raw-timing.ts';
import { createDiskLoadHandler } from './graph-model.ts';
import { ensureBackend } from './layers-model.ts';
import { registerThreadedWasm } from './wasm-threaded.ts';

/** What to measure and how often. */
export interface TfjsMeasureOptions {
  /** `tfjs` (Layers model) or `tfjs-graph` (graph model). */
  format: 'tfjs' | 'tfjs-graph';
  /** Input shape without the batch dimension (channels-last). */
  inputShape: number[];
  warmup: number;
  runs: number;
  /** wasm threads wanted; more than 1 loads the threaded SIMD build (only before the backend starts). */
  threads: number;
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

/** Bytes of the wasm backend's linear memory: it only grows, so this is the process's high-water mark. */
function readWasmHeapBytes(): number | null {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.buffer.byteLength ?? null;
}

/** Load the bundle with tf.loadLayersModel or tf.loadGraphModel from disk, as a browser would fetch it. */
async function loadModel(modelJsonPath: string, format: TfjsMeasureOptions['format']): Promise<tf.LayersModel | tf.GraphModel> {
  try {
    const handler = createDiskLoadHandler(modelJsonPath);
    return format === 'tfjs' ? await tf.loadLayersModel(handler) : await tf.loadGraphModel(handler);
  } catch (error) {
    if (error instanceof EdgePruneError) throw error;
    throw new EdgePruneError(
      'INVALID_MODEL',
      { expected: `a ${format} bundle tfjs loads`, found: (error as Error).message, where: modelJsonPath, hint: 're-export the model; rerun with --debug if it persists' },
      { cause: error },
    );
  }
}

/** One inference with every output read back to JS, as an application runs it; returns ms and bytes live at the peak. */
function runOnce(model: tf.LayersModel | tf.GraphModel, input: tf.Tensor): { ms: number; liveBytes: number } {
  const start = performance.now();
  const out = model.predict(input) as tf.Tensor | tf.Tensor[] | tf.NamedTensorMap;
  const outputs = out instanceof tf.Tensor ? [out] : Array.isArray(out) ? out : Object.values(out);
  for (const t of outputs) t.dataSync();
  const ms = performance.now() - start;
  const liveBytes = tf.memory().numBytes;
  tf.dispose(outputs);
  return { ms, liveBytes };
}

/**
 * Time an exported TF.js bundle on tfjs in Node (wasm backend, cpu if wasm cannot start): the first
 * (cold) run, `warmup` untimed runs, then `runs` timed runs on a seeded input at batch 1.
 */
export async function measureTfjsBundle(modelJsonPath: string, options: TfjsMeasureOptions): Promise<RawTiming> {
  // Only before the wasm backend starts: re-registering a live backend would dispose its tensors.
  if (options.threads > 1 && !threadedRequested && !('wasm' in tf.engine().registry)) {
    threadedRequested = true;
    registerThreadedWasm(options.threads);
  }
  const backend = await ensureBackend();
  const model = await loadModel(modelJsonPath, options.format);
  const input = tf.randomUniform([1, ...options.inputShape], 0, 1, 'float32', 7);
  try {
    const first = runOnce(model, input);
    let peakLive = first.liveBytes;
    for (let i = 0; i < options.warmup; i++) peakLive = Math.max(peakLive, runOnce(model, input).liveBytes);
    const runsMs: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const r = runOnce(model, input);
      runsMs.push(r.ms);
      peakLive = Math.max(peakLive, r.liveBytes);
    }
    const heap = backend === 'wasm' ? readWasmHeapBytes() : null;
    return {
      runtime: 'tfjs-wasm',
      backend,
      runtimeVersion: `tfjs ${tf.version.tfjs} (Node ${process.versions.node})`,
      threads: backend === 'wasm' ? getThreadsCount() : 1,
      simd: backend === 'wasm' && readFlag('WASM_HAS_SIMD_SUPPORT'),
      firstRunMs: first.ms,
      warmup: options.warmup,
      runsMs,
      peakMemoryBytes: heap ?? peakLive,
      peakMemorySource: heap !== null ? 'wasm linear memory of the process (high-water mark)' : 'tfjs tensor bytes at the peak of a run',
    };
  } finally {
    input.dispose();
    model.dispose();
  }
}
