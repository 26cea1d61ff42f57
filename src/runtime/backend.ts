// Picks the fastest training backend available (tfjs-node, else threaded wasm with the project's kernels, else cpu).
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { EdgePruneError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { installFastBatchNorm } from './fast-batch-norm-layer.ts';
import { loadTfjsNode } from './tfjs-node.ts';
import { registerWasmTrainingKernels } from './wasm-kernels/index.ts';
import { registerThreadedWasm } from './wasm-threaded.ts';

import { BACKEND_NAMES } from './backend-names.ts';

export { BACKEND_NAMES };

/** A backend choice: a concrete backend or `auto` (the fastest available). */
export type BackendPreference = (typeof BACKEND_NAMES)[number];

/** The backend in use after initBackend. */
export interface BackendInfo {
  /** The concrete backend. */
  name: 'tfjs-node' | 'wasm' | 'cpu';
  /** Threads its kernels use. */
  threads: number;
  /** One line on what runs and how fast to expect it. */
  note: string;
}

/** The tfjs backend name behind each concrete choice. */
const TFJS_NAME = { 'tfjs-node': 'tensorflow', wasm: 'wasm', cpu: 'cpu' } as const;

const SETUP_HINT = 'build it with `node scripts/setup-tfjs-node.mjs` (runs at npm install; needs pip and a C++ toolchain)';

let current: BackendInfo | null = null;
let wasmThreads = 0;

/** Threads to use: EDGE_PRUNE_THREADS, else every core the machine offers. */
function resolveThreads(): number {
  const env = Number(process.env.EDGE_PRUNE_THREADS);
  return Number.isInteger(env) && env > 0 ? env : Math.max(1, availableParallelism());
}

/** Selects the tfjs-node backend; returns its info or the reason it is unavailable. */
async function tryTfjsNode(threads: number): Promise<BackendInfo | string> {
  const load = loadTfjsNode(threads);
  if (!load.ok || !(await tf.setBackend('tensorflow'))) return load.ok ? 'the tensorflow backend did not initialize' : load.detail;
  return { name: 'tfjs-node', threads, note: `${load.detail} C library through tfjs-node (native speed, fused batch norm)` };
}

/** Selects the wasm backend: the threaded SIMD build when it loads, else the package's default loader. */
async function tryWasm(threads: number): Promise<BackendInfo | string> {
  registerWasmTrainingKernels();
  const initialized = tf.engine().registry.wasm != null;
  const stockFactory = tf.findBackendFactory('wasm');
  if (!initialized && wasmThreads === 0 && threads > 1 && registerThreadedWasm(threads)) wasmThreads = threads;
  if (await tf.setBackend('wasm')) {
    const used = wasmThreads > 0 ? wasmThreads : 1;
    return { name: 'wasm', threads: used, note: `wasm (XNNPACK, SIMD, ${used} thread${used > 1 ? 's' : ''}) with the project's training kernels; about 5x slower than tfjs-node` };
  }
  if (wasmThreads > 0 && stockFactory) {
    // The threaded build failed to start: go back to the package's own single-threaded loader.
    wasmThreads = 0;
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', stockFactory, 2);
    if (await tf.setBackend('wasm')) return { name: 'wasm', threads: 1, note: 'wasm (XNNPACK, SIMD, 1 thread: the threaded build did not start) with the project\'s training kernels' };
  }
  return 'the wasm backend did not initialize';
}

/** Selects the pure-JS cpu backend (last resort). */
async function tryCpu(): Promise<BackendInfo | string> {
  if (!(await tf.setBackend('cpu'))) return 'the cpu backend did not initialize';
  return { name: 'cpu', threads: 1, note: 'pure-JS cpu backend: hundreds of times slower than native training' };
}

/**
 * Chooses and initializes the training backend. `auto` takes tfjs-node when its binding loads, else
 * the threaded wasm build, else cpu; a named backend that is unavailable raises BACKEND_UNAVAILABLE.
 * Also installs the fused batch-norm training path. Safe to call repeatedly (switches when asked).
 */
export async function initBackend(preference: BackendPreference = 'auto', logger: Logger = silentLogger): Promise<BackendInfo> {
  if (!BACKEND_NAMES.includes(preference)) {
    throw new EdgePruneError('INVALID_ARGUMENT', {
      expected: `one of ${BACKEND_NAMES.join(', ')}`, found: String(preference), where: '--backend', hint: 'pick a listed backend or leave it at auto',
    });
  }
  if (current && (preference === 'auto' || preference === current.name) && tf.getBackend() === TFJS_NAME[current.name]) return current;
  installFastBatchNorm();
  const threads = resolveThreads();
  const reasons: string[] = [];
  const attempts = preference === 'auto' ? (['tfjs-node', 'wasm', 'cpu'] as const) : [preference];
  for (const name of attempts) {
    const result = name === 'tfjs-node' ? await tryTfjsNode(threads) : name === 'wasm' ? await tryWasm(threads) : await tryCpu();
    if (typeof result !== 'string') {
      if (reasons.length > 0) logger.warn(`training backend: ${reasons.join('; ')}${reasons[0]!.startsWith('tfjs-node') ? `; ${SETUP_HINT}` : ''}`);
      logger.info(`training backend: ${result.name} (${result.note})`);
      current = result;
      return result;
    }
    reasons.push(`${name} unavailable (${result})`);
  }
  throw new EdgePruneError('BACKEND_UNAVAILABLE', {
    expected: `a working ${preference} backend`,
    found: reasons.join('; '),
    where: 'training backend',
    hint: preference === 'tfjs-node' ? SETUP_HINT : 'use --backend auto to take the fastest backend that works here',
  });
}

/** The tfjs namespace every other module uses (tfjs-node registers into the same engine). */
export function getTf(): typeof tf {
  return tf;
}

/** The backend chosen by the last initBackend call, or null before the first. */
export function currentBackend(): BackendInfo | null {
  return current;
}
