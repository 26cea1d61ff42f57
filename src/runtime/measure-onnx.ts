// Times an exported ONNX model with onnxruntime-node (CPU execution provider): cold run, warm-up, timed runs.
import { EdgePruneError } from '../core/errors.ts';
import type { RawTiming } from './raw-timing.ts';

/** What to measure and how often. */
export interface OnnxMeasureOptions {
  /** Batch-1 input dims as the model takes them (NCHW or NHWC). */
  inputDims: number[];
  warmup: number;
  runs: number;
  /** Intra-op threads. */
  threads: number;
}

type Ort = typeof import('onnxruntime-node');

/** Load onnxruntime-node; BACKEND_UNAVAILABLE when its native binding is missing. */
async function loadOrt(): Promise<Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (error) {
    throw new EdgePruneError(
      'BACKEND_UNAVAILABLE',
      { expected: 'onnxruntime-node with its native binding', found: (error as Error).message, where: 'onnxruntime-node', hint: 'reinstall with ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node' },
      { cause: error },
    );
  }
}

/** Seeded uniform [0, 1) values (a small LCG: the values do not matter for timing, only determinism). */
function createSeededValues(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}

/**
 * Time an ONNX model file with onnxruntime-node: one session (all graph optimizations, sequential
 * execution, `threads` intra-op threads), the first (cold) run, `warmup` untimed runs, then `runs`
 * timed `session.run` calls on a seeded batch-1 input. Peak memory is not exposed by the runtime.
 */
export async function measureOnnxModel(modelPath: string, options: OnnxMeasureOptions): Promise<RawTiming> {
  const ort = await loadOrt();
  let session: import('onnxruntime-node').InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: options.threads,
      interOpNumThreads: 1,
    });
  } catch (error) {
    throw new EdgePruneError(
      'INVALID_MODEL',
      { expected: 'an ONNX model onnxruntime accepts', found: (error as Error).message, where: modelPath, hint: 're-export the model; rerun with --debug if it persists' },
      { cause: error },
    );
  }
  try {
    const size = options.inputDims.reduce((a, b) => a * b, 1);
    const feeds = { [session.inputNames[0] ?? 'input']: new ort.Tensor('float32', createSeededValues(size, 7), options.inputDims) };
    const runOnce = async (): Promise<number> => {
      const start = performance.now();
      const result = await session.run(feeds);
      const ms = performance.now() - start;
      for (const t of Object.values(result)) t.dispose?.();
      return ms;
    };
    let firstRunMs: number;
    try {
      firstRunMs = await runOnce();
    } catch (error) {
      throw new EdgePruneError(
        'INVALID_MODEL',
        { expected: `a run on input dims [${options.inputDims.join(', ')}]`, found: (error as Error).message, where: modelPath, hint: 'check the export layout (nchw/nhwc) in manifest.json' },
        { cause: error },
      );
    }
    for (let i = 0; i < options.warmup; i++) await runOnce();
    const runsMs: number[] = [];
    for (let i = 0; i < options.runs; i++) runsMs.push(await runOnce());
    return {
      runtime: 'onnxruntime-node',
      backend: 'cpu',
      runtimeVersion: `onnxruntime-node ${ort.env.versions?.common ?? 'unknown'}`,
      threads: options.threads,
      simd: true,
      firstRunMs,
      warmup: options.warmup,
      runsMs,
      peakMemoryBytes: null,
      peakMemorySource: null,
    };
  } finally {
    await session.release();
  }
}
