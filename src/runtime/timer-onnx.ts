// The onnxruntime engine timer (onnxruntime-node, CPU execution provider): loads a model and runs it under the shared timing protocol.
import { uniformArray } from '../core/random.ts';
import { createOnnxSession, readOnnxRuntimeVersion } from './onnx-session.ts';
import { measureLoaded, type EngineInfo, type ProtocolOptions, type RawTiming, type TimedModel } from './timing.ts';

/** The model's input and the session's threads. */
export interface OnnxTimerOptions {
  /** Batch-1 input dims as the model takes them (NCHW or NHWC). */
  inputDims: number[];
  /** Input name; default the session's first input. */
  inputName?: string;
  /** Intra-op threads. */
  threads: number;
}

/** The onnxruntime-node engine at `threads` intra-op threads, for labelling measurements. */
export async function describeOnnxRuntime(threads: number): Promise<EngineInfo> {
  const version = await readOnnxRuntimeVersion();
  return { runtime: 'onnxruntime-node', backend: 'cpu', version, runtimeVersion: `onnxruntime-node ${version}`, threads, simd: true };
}

/**
 * Load an ONNX model (bytes or a file path) on onnxruntime-node for timing: one session (all graph
 * optimizations, sequential execution, `threads` intra-op threads); each `run()` is one
 * `session.run` on a seeded uniform input with the outputs read back. The runtime exposes no peak memory.
 */
export async function loadOnnxTimer(model: Uint8Array | string, options: OnnxTimerOptions): Promise<TimedModel> {
  const info = await describeOnnxRuntime(options.threads);
  const session = await createOnnxSession(model, { threads: options.threads });
  const data = uniformArray(options.inputDims.reduce((a, b) => a * b, 1), 7);
  const feeds = { [options.inputName ?? session.inputNames[0] ?? 'input']: { data, dims: options.inputDims } };
  return {
    info,
    run: async () => {
      const start = performance.now();
      await session.run(feeds);
      return performance.now() - start;
    },
    peakMemory: () => ({ bytes: null, source: null }),
    release: () => session.release(),
  };
}

/** Measure an ONNX model on onnxruntime-node with the shared protocol (cold run, `warmup` untimed, `runs` timed). */
export async function measureOnnx(model: Uint8Array | string, options: ProtocolOptions & OnnxTimerOptions): Promise<RawTiming> {
  return measureLoaded(() => loadOnnxTimer(model, options), options);
}
