// Local latency of an unpruned/pruned pair of export folders, measured interleaved in a fresh child process.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../../src/core/statistics.ts';
import type { LatencyPair } from './records.ts';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'measure-child.ts');

/** Interleaved measurement of both formats of a pair. */
export interface PairLatency {
  tfjs: LatencyPair;
  onnx: LatencyPair;
  /** Runtime descriptions (version, backend, threads) per format. */
  runtimes: Record<string, string>;
}

/** Run the child and parse its last stdout line. */
function runChild(request: object): Promise<{ tfjs: number[][]; onnx: number[][]; runtimes: Record<string, string> }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(request)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        resolvePromise(JSON.parse(line));
      } catch (error) {
        reject(new Error(`latency child failed (${(error as Error).message}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
      }
    });
  });
}

/**
 * Time the unpruned and the pruned export on tfjs-wasm (Node) and onnxruntime-node, one thread each
 * as the pixel7 targets run them, in a fresh process: `rounds` rounds, each timing both bundles
 * (order alternating) with `warmup` untimed and `runs` timed inferences. The medians pool all
 * rounds, so both bundles see the same drift of a busy machine.
 */
export async function measurePair(baseDir: string, prunedDir: string, rounds: number, runs: number, warmup = 5): Promise<PairLatency> {
  const r = await runChild({ dirs: [baseDir, prunedDir], rounds, runs, warmup });
  const pair = (lists: number[][]): LatencyPair => {
    const [base, pruned] = [lists[0] ?? [], lists[1] ?? []];
    return { baseMs: median(base), prunedMs: median(pruned), baseMinMs: Math.min(...base), prunedMinMs: Math.min(...pruned), runs: pruned.length };
  };
  return { tfjs: pair(r.tfjs), onnx: pair(r.onnx), runtimes: r.runtimes };
}
