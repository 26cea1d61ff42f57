// Loads tfjs-backend-wasm's threaded SIMD build in Node (the package's default loader stays single-threaded there).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/** The tfjs-backend-wasm version whose emscripten internals this loader relies on (package.json pins it). */
export const PINNED_WASM_VERSION = '4.22.0';

const require = createRequire(import.meta.url);

/** Minimal view of the emscripten module the loader touches. */
interface ThreadedModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  wasmMemory: WebAssembly.Memory;
  PThread?: { runningWorkers: Array<{ unref(): void }> };
  tfjs?: Record<string, unknown>;
}

type Factory = (config: Record<string, unknown>) => Promise<ThreadedModule>;

/** Folder with the emscripten outputs of the wasm package. */
function wasmOutDir(): string {
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
}

/** Writes the pthread worker script to a temp file once (Node workers need a real file) and returns its path. */
function ensureWorkerFile(dir: string): string {
  const { wasmWorkerContents } = require(join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // The package keeps the script as a template string; escape its newlines as tfjs does before making a Blob.
  const text = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha1').update(text).digest('hex').slice(0, 12);
  const file = join(tmpdir(), `edge-prune-tfjs-wasm-${PINNED_WASM_VERSION}-${hash}.worker.js`);
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    const part = `${file}.${process.pid}.tmp`;
    writeFileSync(part, text);
    renameSync(part, file);
  }
  return file;
}

/** A worker that does not inherit the parent's Node flags (e.g. --input-type breaks a worker script). */
class PlainWorker extends NodeWorker {
  constructor(file: string | URL, options: WorkerOptions = {}) {
    super(file, { ...options, execArgv: [] });
  }
}

/**
 * Runs the emscripten factory while the global Worker it assigns and uses is pinned to PlainWorker
 * (its pthread pool is created inside the factory call), then restores the global.
 */
async function withPlainWorkers<T>(f: () => Promise<T>): Promise<T> {
  const g = globalThis as Record<string, unknown>;
  const previous = Object.getOwnPropertyDescriptor(g, 'Worker');
  Object.defineProperty(g, 'Worker', { configurable: true, get: () => PlainWorker, set: () => undefined });
  try {
    return await f();
  } finally {
    if (previous) Object.defineProperty(g, 'Worker', previous);
    else delete g.Worker;
  }
}

/** Reads the installed wasm package version. */
export function installedWasmVersion(): string {
  return (require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;
}

/**
 * Instantiates the threaded SIMD module with `threads` XNNPACK threads. The module caps threads at
 * (logical cores / 2); the loader reports 2 × threads logical cores to its init so the cap is lifted.
 */
async function instantiateThreaded(threads: number): Promise<ThreadedModule> {
  const dir = wasmOutDir();
  const factory = require(join(dir, 'tfjs-backend-wasm-threaded-simd.js')) as Factory;
  const workerFile = ensureWorkerFile(dir);
  const binary = readFileSync(join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'));
  const before = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
  const module = await withPlainWorkers(() => factory({
    locateFile: (path: string) => (path.endsWith('.worker.js') ? workerFile : join(dir, path)),
    instantiateWasm(info: { env: Record<string, unknown> }, receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) {
      if (typeof info.env.emscripten_num_logical_cores === 'function') info.env.emscripten_num_logical_cores = () => threads * 2;
      void WebAssembly.instantiate(binary, info as unknown as WebAssembly.Imports).then((r) => receive(r.instance, r.module));
      return {};
    },
  }));
  // The emscripten glue installs process handlers that rethrow; Node already does that, so remove them.
  const emitter = process as unknown as { listeners(e: string): unknown[]; removeListener(e: string, l: unknown): void };
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    const known = before[event] as unknown[];
    for (const listener of emitter.listeners(event)) {
      if (!known.includes(listener)) emitter.removeListener(event, listener);
    }
  }
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/**
 * Re-registers the `wasm` backend so it is created from the threaded build with `threads` threads.
 * Every stock wasm kernel stays registered (they are keyed by the backend name). Call before the
 * wasm backend is first initialized; returns false when the pinned version does not match.
 */
export function registerThreadedWasm(threads: number): boolean {
  if (installedWasmVersion() !== PINNED_WASM_VERSION) return false;
  setThreadsCount(threads);
  if (tf.findBackendFactory('wasm') != null) tf.removeBackend('wasm');
  tf.registerBackend('wasm', async () => {
    const module = await instantiateThreaded(threads);
    const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
    // The thread pool's workers wait for work forever; unref them so they never keep Node alive.
    for (const worker of module.PThread?.runningWorkers ?? []) worker.unref();
    return backend;
  }, 2);
  return true;
}
