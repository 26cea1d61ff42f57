// Times ONNX models on onnxruntime-node: warm-up runs, then timed runs (batch 1, float32 input).
import { createOnnxSession, readOnnxRuntimeVersion } from './onnx-session.ts';
import type { Timing, TimingOptions } from './time-tfjs.ts';

/** Options of an ONNX timing: the session's intra-op thread count besides the run counts. */
export interface OnnxTimingOptions extends TimingOptions {
  threads: number;
}

/** The onnxruntime-node version, for labelling measurements. */
export async function describeOnnxRuntime(): Promise<{ version: string }> {
  return { version: await readOnnxRuntimeVersion() };
}

/**
 * Time an ONNX model (bytes) with one float32 input of `dims` (batch first): each run is
 * `session.run` with the outputs read back, as an application would run it.
 */
export async function timeOnnxModel(model: Uint8Array, input: { name: string; dims: number[] }, options: OnnxTimingOptions): Promise<Timing> {
  const session = await createOnnxSession(model, { threads: options.threads });
  try {
    const size = input.dims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: size }, (_, i) => ((i * 2654435761) % 1000) / 1000);
    const feeds = { [input.name]: { data, dims: input.dims } };
    const once = async (): Promise<number> => {
      const start = performance.now();
      await session.run(feeds);
      return performance.now() - start;
    };
    const firstMs = await once();
    for (let i = 0; i < options.warmup; i++) await once();
    const runsMs: number[] = [];
    for (let i = 0; i < options.runs; i++) runsMs.push(await once());
    return { backend: `onnxruntime-node cpu (${options.threads} threads)`, firstMs, runsMs };
  } finally {
    await session.release();
  }
}
