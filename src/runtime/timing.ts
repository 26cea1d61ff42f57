// The timing protocol every engine timer shares: a loaded model, one cold run, warm-up runs, timed runs, raw per-run ms.
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

/** What an engine is: the fields of a `RawTiming` that describe the runtime rather than the runs. */
export interface EngineInfo {
  runtime: RuntimeName;
  /** Backend or execution provider, e.g. `wasm`, `cpu`. */
  backend: string;
  /** The engine's bare version number, e.g. `4.22.0`. */
  version: string;
  /** The labelled version of a measurement, e.g. `tfjs 4.22.0 (Node 20.20.2)`. */
  runtimeVersion: string;
  threads: number;
  simd: boolean;
}

/** A model loaded on an engine, ready to run on a fixed seeded batch-1 input. Call `release()` when done. */
export interface TimedModel {
  info: EngineInfo;
  /** One inference with every output read back to JS, as an application runs it; wall milliseconds. */
  run(): Promise<number>;
  /** The peak memory seen so far, where the engine exposes it. */
  peakMemory(): { bytes: number | null; source: string | null };
  release(): Promise<void>;
}

/** How many runs of the protocol. */
export interface ProtocolOptions {
  /** Untimed runs after the cold run. */
  warmup: number;
  /** Timed runs. */
  runs: number;
}

/** `count` consecutive runs of a loaded model, in ms each (in run order). */
export async function timeRuns(model: TimedModel, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(await model.run());
  return out;
}

/**
 * The measurement protocol (DESIGN.md §9): the first (cold) run, `warmup` untimed runs, then
 * `runs` timed runs, reported raw with the engine's description and peak memory.
 */
export async function measureProtocol(model: TimedModel, options: ProtocolOptions): Promise<RawTiming> {
  const firstRunMs = await model.run();
  await timeRuns(model, options.warmup);
  const runsMs = await timeRuns(model, options.runs);
  const { info } = model;
  const memory = model.peakMemory();
  return {
    runtime: info.runtime,
    backend: info.backend,
    runtimeVersion: info.runtimeVersion,
    threads: info.threads,
    simd: info.simd,
    firstRunMs,
    warmup: options.warmup,
    runsMs,
    peakMemoryBytes: memory.bytes,
    peakMemorySource: memory.source,
  };
}

/** Load with `load`, measure with the protocol, always release. */
export async function measureLoaded(load: () => Promise<TimedModel>, options: ProtocolOptions): Promise<RawTiming> {
  const model = await load();
  try {
    return await measureProtocol(model, options);
  } finally {
    await model.release();
  }
}
