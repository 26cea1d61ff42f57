// What one timed measurement reports, from a runtime in Node or a browser page: the raw figures verify labels.
import type { RuntimeName } from '../core/schemas.ts';

/** Raw timings of one measurement, as a runtime (Node or a browser page) reports them. */
export interface RawTiming {
  /** Runtime actually measured (may differ from the target's, e.g. onnxruntime-node for onnxruntime-web locally). */
  runtime: RuntimeName;
  /** Backend or execution provider actually used, e.g. `wasm`, `webgl`, `cpu`. */
  backend: string;
  /** Version string of the runtime, e.g. `tfjs 4.22.0` or `onnxruntime-node 1.30.0`. */
  runtimeVersion: string;
  threads: number;
  simd: boolean;
  /** Milliseconds of the first (cold) inference, before warm-up. */
  firstRunMs: number;
  warmup: number;
  /** Milliseconds of each timed run, in run order. */
  runsMs: number[];
  /** Peak memory in bytes where the runtime exposes it, else null. */
  peakMemoryBytes: number | null;
  /** What the peak memory figure is (e.g. `wasm linear memory (high-water mark)`), or null. */
  peakMemorySource: string | null;
}
