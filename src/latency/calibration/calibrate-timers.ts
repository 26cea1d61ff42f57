// Calibration's timing over the engine timers: models timed in shuffled rounds, each alone or all kept loaded.
import { buildGraph } from '../../analyze/graph.ts';
import { fail } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { createRandom, shuffledOrder } from '../../core/random.ts';
import { HOST_RUNTIMES, type ComputePrecision, type RuntimeName } from '../../core/schemas.ts';
import type { ModelBundle } from '../../core/types.ts';
import { buildOnnxModel } from '../../export/onnx-graph.ts';
import { describeOnnxRuntime, loadOnnxTimer } from '../../runtime/timer-onnx.ts';
import { describeTfjs, loadTfjsTimer } from '../../runtime/timer-tfjs.ts';
import { timeRuns, type TimedModel } from '../../runtime/timing.ts';
import type { Fusion } from '../layer-work.ts';
import { int8ProbeModel, type TimableOnnx } from './int8-probe-model.ts';

/** A model loaded on a host runtime: `time(n)` makes n timed runs (ms each). */
export interface LoadedModel {
  time(runs: number): Promise<number[]>;
  release(): Promise<void>;
}

/** How one host runtime is timed, and what its graph optimizer fuses. */
export interface HostTimer {
  runtime: RuntimeName;
  /** float32, or int8: each bundle is timed as its int8 QDQ export (`int8ProbeModel`). */
  compute: ComputePrecision;
  version: string;
  simd: boolean;
  threads: number;
  fuses: Fusion[];
  load(bundle: ModelBundle): Promise<LoadedModel>;
}

/** A calibration model over an engine timer's loaded model. */
function asLoaded(model: TimedModel): LoadedModel {
  return { time: (runs) => timeRuns(model, runs), release: () => model.release() };
}

/**
 * The timer of a host runtime over its engine timer (src/runtime/timer-tfjs.ts, timer-onnx.ts, the
 * ones verify's local method uses): tfjs-wasm, or onnxruntime-node at `threads` (default 1) on the
 * bundle exported to ONNX (NCHW). BACKEND_UNAVAILABLE for a runtime that does not run here.
 */
export async function openHostTimer(runtime: RuntimeName, threads?: number, compute: ComputePrecision = 'float32'): Promise<HostTimer> {
  if (compute === 'int8' && runtime !== 'onnxruntime-node') {
    fail('BACKEND_UNAVAILABLE', {
      expected: 'onnxruntime-node (the host runtime with int8 kernels)',
      found: `runtime ${runtime} with --compute int8`,
      where: 'edge-prune calibrate --compute',
      hint: 'tfjs computes in float32 only; calibrate int8 with --runtime onnxruntime-node',
    });
  }
  if (runtime === 'tfjs-wasm') {
    const info = await describeTfjs();
    return {
      runtime,
      compute,
      version: `tfjs ${info.version} (${info.backend}${info.simd ? ', SIMD' : ''})`,
      simd: info.simd,
      threads: info.threads,
      fuses: [],
      load: async (bundle) => asLoaded(await loadTfjsTimer({ bundle })),
    };
  }
  if (runtime === 'onnxruntime-node') {
    const n = threads ?? 1;
    const info = await describeOnnxRuntime(n);
    const int8Models = new WeakMap<ModelBundle, TimableOnnx>();
    return {
      runtime,
      compute,
      version: `onnxruntime-node ${info.version} (cpu, graph optimization all${compute === 'int8' ? ', int8 QDQ models' : ''})`,
      simd: info.simd,
      threads: n,
      fuses: ['batchnorm', 'activation'],
      load: async (bundle) => {
        if (compute === 'int8') {
          // Quantized once per bundle: with `alone` residency a model is loaded once per round.
          const q = int8Models.get(bundle) ?? (await int8ProbeModel(bundle));
          int8Models.set(bundle, q);
          return asLoaded(await loadOnnxTimer(q.bytes, { inputDims: q.inputDims, inputName: q.inputName, threads: n }));
        }
        const graph = buildGraph(bundle);
        const built = buildOnnxModel(graph, new Map(bundle.weights.map((w) => [w.name, w])), { layout: 'nchw' });
        const io = built.inputs[0];
        const inputDims = (io?.dims ?? []).map((d) => (typeof d === 'number' ? d : 1));
        return asLoaded(await loadOnnxTimer(built.bytes, { inputDims, inputName: io?.name ?? 'input', threads: n }));
      },
    };
  }
  fail('BACKEND_UNAVAILABLE', {
    expected: `a host runtime: ${HOST_RUNTIMES.join(', ')}`,
    found: `runtime ${runtime}`,
    where: 'edge-prune calibrate --runtime',
    hint: `${runtime} does not run on this host; its coefficients come from device measurements (edge-prune verify)`,
  });
}

/**
 * Whether the models of a timing stay loaded together (`pool`: loaded once, turns interleave) or
 * each turn loads its model alone and releases it after (`alone`: no other model's buffers,
 * arenas or threads are alive while it runs, as in an application serving one model).
 */
export type Residency = 'pool' | 'alone';

/** How to time a set of models. */
export interface InterleaveOptions {
  /** Untimed runs of each model when it is loaded. */
  warmup: number;
  /**
   * Untimed runs at the start of each model's turn in a round (default 2; with `alone` residency
   * the load's `warmup` runs come first): they bring the model's weights back into cache and let
   * the previous model's threads go idle, so a turn's timed runs do not depend on which model ran before.
   */
  turnWarmup?: number;
  /** Timed runs per model and round. */
  runs: number;
  /** Rounds over all models: runs of all rounds are pooled, so a busy spell spreads over the models. */
  rounds: number;
  /** Default `pool`. */
  residency?: Residency;
  logger?: Logger;
  task?: string;
}

/**
 * Time every bundle on the timer in rounds: each round gives each model a turn of `turnWarmup`
 * untimed and `runs` timed runs, in a seeded shuffled order (no model always follows the same
 * cache-flushing neighbour). With `pool` residency all models are loaded (and warmed up) first;
 * with `alone` each turn loads, warms up, times and releases its model. Returns the pooled runs per bundle, in order.
 */
export async function timeInterleaved(timer: HostTimer, bundles: Array<{ id: string; bundle: ModelBundle }>, options: InterleaveOptions): Promise<number[][]> {
  const logger = options.logger ?? silentLogger;
  const task = options.task ?? `time ${timer.runtime}`;
  const turnWarmup = options.turnWarmup ?? 2;
  const alone = options.residency === 'alone';
  const loaded: LoadedModel[] = [];
  const open = async (i: number): Promise<LoadedModel> => {
    const model = await timer.load(bundles[i]!.bundle);
    try {
      await model.time(options.warmup + 1);
    } catch (error) {
      await model.release();
      throw error;
    }
    return model;
  };
  try {
    if (!alone) for (let i = 0; i < bundles.length; i++) loaded.push(await open(i));
    const pooled = bundles.map(() => [] as number[]);
    const total = bundles.length * options.rounds;
    let done = 0;
    const next = createRandom(options.rounds * 7919 + bundles.length);
    for (let round = 0; round < options.rounds; round++) {
      for (const i of shuffledOrder(bundles.length, next)) {
        const model = alone ? await open(i) : loaded[i]!;
        try {
          if (turnWarmup > 0) await model.time(turnWarmup);
          pooled[i]!.push(...(await model.time(options.runs)));
        } finally {
          if (alone) await model.release();
        }
        done += 1;
        logger.progress({ task, done, total, detail: bundles[i]!.id });
      }
    }
    return pooled;
  } finally {
    for (const model of loaded) await model.release();
  }
}
