// Decodes a large image list in parallel worker processes (libvips scales across processes, not inside one).
import { fork, type ChildProcess } from 'node:child_process';
import { EdgePruneError, type ErrorCode } from '../core/errors.ts';
import type { DecodeSpec } from './decode-images.ts';

/** A message from a decode worker. */
interface WorkerMessage {
  progress?: number;
  images?: Uint8Array;
  resized?: number;
  error?: { code: string; expected?: string; found?: string; where?: string; hint?: string; message?: string };
}

/**
 * The worker module beside this file and the Node flags to start it: from source (`.ts`, run by
 * tsx) the `.ts` worker with tsx's loader; from the compiled package (`.js`) the `.js` worker alone.
 */
function workerEntry(): { url: URL; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  return fromSource
    ? { url: new URL('./decode-worker.ts', import.meta.url), execArgv: ['--import', import.meta.resolve('tsx')] }
    : { url: new URL('./decode-worker.js', import.meta.url), execArgv: [] };
}

/** Run one worker on `files`; resolves with its pixels, rejects with its typed error. */
function runWorker(files: string[], spec: DecodeSpec, children: ChildProcess[], onProgress: (n: number) => void): Promise<{ images: Uint8Array; resized: number }> {
  return new Promise((resolve, reject) => {
    const entry = workerEntry();
    const child = fork(entry.url, [], {
      execArgv: entry.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    children.push(child);
    let settled = false;
    child.on('message', (m: WorkerMessage) => {
      if (m.progress) onProgress(m.progress);
      if (m.error) {
        settled = true;
        const e = m.error;
        reject(e.where ? new EdgePruneError(e.code as ErrorCode, { expected: e.expected ?? '', found: e.found ?? '', where: e.where, hint: e.hint ?? '' }) : new Error(e.message ?? 'decode worker failed'));
      } else if (m.images) {
        settled = true;
        resolve({ images: new Uint8Array(m.images.buffer, m.images.byteOffset, m.images.byteLength), resized: m.resized ?? 0 });
      }
    });
    child.on('error', (error) => (settled ? undefined : ((settled = true), reject(error))));
    child.on('exit', (code) => (settled ? undefined : ((settled = true), reject(new Error(`decode worker exited with code ${code}`)))));
    child.send({ files, spec });
  });
}

/**
 * Decode `files` in `workers` child processes, each taking a contiguous share, and join the pixels
 * in order. A worker's INVALID_DATA error (a corrupt file, a wrong size) is rethrown as is; other
 * failures (a worker that cannot start) reject with a plain Error so the caller can fall back to
 * decoding in-process.
 */
export async function decodeInProcesses(files: string[], spec: DecodeSpec, workers: number, onProgress: (done: number) => void): Promise<{ images: Uint8Array; resized: number }> {
  const size = spec.height * spec.width * spec.channels;
  const children: ChildProcess[] = [];
  let done = 0;
  const report = (n: number): void => onProgress((done += n));
  const bounds = Array.from({ length: workers + 1 }, (_, k) => Math.round((k * files.length) / workers));
  try {
    const parts = await Promise.all(Array.from({ length: workers }, (_, k) => runWorker(files.slice(bounds[k], bounds[k + 1]), spec, children, report)));
    const images = new Uint8Array(files.length * size);
    parts.forEach((p, k) => images.set(p.images, (bounds[k] as number) * size));
    return { images, resized: parts.reduce((n, p) => n + p.resized, 0) };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}
