// Crash-safety harness: runs the real CLI, SIGKILLs it at seeded points in time, resumes, and inspects what it left on disk.
import { spawn } from 'node:child_process';
import { lstat, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shuffleInPlace } from '../../src/core/random.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'edge-prune.js');

/** One CLI run: its exit code (null when killed), whether the harness killed it, its wall time. */
export interface CliRun {
  exit: number | null;
  killed: boolean;
  ms: number;
  stdout: string;
  stderr: string;
}

/** Run `edge-prune <args>`; with `killAfterMs`, SIGKILL it that long after the spawn unless it ended first. */
export async function runCli(args: readonly string[], killAfterMs?: number, timeoutMs = 180_000): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  let killed = false;
  const kill = setTimeout(() => { killed = child.exitCode === null && child.kill('SIGKILL'); }, killAfterMs ?? timeoutMs);
  const exit = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(kill);
  if (killAfterMs === undefined && killed) throw new Error(`edge-prune ${args[0]} took over ${timeoutMs} ms`);
  return { exit, killed: killed && exit === null, ms: Math.round(performance.now() - started), stdout, stderr };
}

/**
 * `count` kill times spread over [0, durationMs]: one uniform draw inside each of `count` equal
 * slices, in a seeded shuffled order (so early and late kills mix within a resume chain).
 */
export function spreadKillTimes(durationMs: number, count: number, random: () => number): number[] {
  const times = Array.from({ length: count }, (_, i) => Math.round((durationMs * (i + random())) / count));
  return shuffleInPlace(times, random);
}

/** What one kill-and-resume chain did. */
export interface ChainResult {
  /** Kill times at which the process was really killed (ms after its spawn), in order. */
  kills: number[];
  /** A kill time the run did not reach (it finished first), if one ended the chain. */
  outlived?: number;
  /** Whether that run was a fresh start (not a resume). */
  outlivedFresh?: boolean;
  /** Runs in the chain, the final uninterrupted one included. */
  runs: number;
}

/**
 * Run a command into a fresh output folder, SIGKILL it at each of `killTimes` in turn (the first
 * run starts from scratch, every later one adds `--resume`), then resume without a kill until it
 * exits. A run that finishes before its kill time ends the chain. Throws when a run fails (an exit
 * other than `okExit`).
 */
export async function runKillChain(args: readonly string[], killTimes: readonly number[], okExit = 0): Promise<ChainResult> {
  const result: ChainResult = { kills: [], runs: 0 };
  const check = (run: CliRun, at: string): void => {
    if (run.exit !== okExit) throw new Error(`${at}: exit ${run.exit}\n${run.stderr.slice(-1500)}`);
  };
  for (const t of killTimes) {
    const fresh = result.runs === 0;
    const run = await runCli(fresh ? args : [...args, '--resume'], t);
    result.runs += 1;
    if (run.killed) {
      result.kills.push(t);
      continue;
    }
    check(run, `run ${result.runs} (not killed at ${t} ms)`);
    return { ...result, outlived: t, outlivedFresh: fresh };
  }
  const last = await runCli([...args, '--resume']);
  result.runs += 1;
  check(last, `final resume after kills at ${result.kills.join(', ')} ms`);
  return result;
}

/**
 * Spend `killTimes` on chains of at most `perChain` kills, each into `<root>/chain-<i>` and checked
 * by `verify`. A time a resumed run outlived is tried again on the next chain's fresh run; one a
 * fresh run outlives is dropped (reported as `outlived`).
 */
export async function runKillChains(root: string, argsFor: (dir: string) => string[], killTimes: readonly number[], perChain: number, verify: (dir: string) => Promise<void>): Promise<ChainResult[]> {
  const queue = [...killTimes];
  const results: ChainResult[] = [];
  while (queue.length > 0) {
    const dir = join(root, `chain-${results.length}`);
    await mkdir(dir);
    const take = queue.splice(0, perChain);
    const chain = await runKillChain(argsFor(dir), take);
    results.push(chain);
    const used = chain.kills.length + (chain.outlived !== undefined ? 1 : 0);
    const retry = chain.outlived !== undefined && !chain.outlivedFresh ? [chain.outlived] : [];
    queue.unshift(...retry, ...take.slice(used));
    await verify(dir);
  }
  return results;
}

/** Every entry below `dir` (relative paths, sorted). */
async function listTree(dir: string): Promise<string[]> {
  return ((await readdir(dir, { recursive: true })) as string[]).sort();
}

/**
 * Problems with what the tool left in `dir`: temporary files (`.name.tmp-…`) or other hidden files,
 * empty files, JSON files that do not parse, JSON-lines files with a line that does not parse.
 */
export async function findCorruptFiles(dir: string): Promise<string[]> {
  const problems: string[] = [];
  for (const rel of await listTree(dir)) {
    const path = join(dir, rel);
    const info = await lstat(path);
    const name = rel.split('/').at(-1) as string;
    if (name.startsWith('.') || name.includes('.tmp-')) problems.push(`${rel}: leftover temporary file`);
    if (!info.isFile()) continue;
    if (info.size === 0) problems.push(`${rel}: empty file`);
    if (name.endsWith('.json')) {
      try {
        JSON.parse(await readFile(path, 'utf8'));
      } catch (error) {
        problems.push(`${rel}: does not parse (${(error as Error).message})`);
      }
    }
    if (name.endsWith('.jsonl')) {
      const lines = (await readFile(path, 'utf8')).split('\n');
      if (lines.at(-1) !== '') problems.push(`${rel}: the last line is not terminated`);
      lines.forEach((line, i) => {
        if (line === '') return;
        try {
          JSON.parse(line);
        } catch {
          problems.push(`${rel}: line ${i + 1} does not parse`);
        }
      });
    }
  }
  return problems;
}

/** Files of `dir` (relative paths) whose bytes differ from the same file under `reference`, or that only one side has. */
export async function differingFiles(dir: string, reference: string, only: (rel: string) => boolean = () => true): Promise<string[]> {
  const a = (await listTree(dir)).filter(only);
  const b = (await listTree(reference)).filter(only);
  const out: string[] = [];
  for (const rel of new Set([...a, ...b])) {
    const [x, y] = await Promise.all([readFile(join(dir, rel)).catch(() => undefined), readFile(join(reference, rel)).catch(() => undefined)]);
    if (!x || !y || !x.equals(y)) out.push(rel);
  }
  return out.sort();
}

/** A JSON value with wall-clock fields (`seconds`, `imagesPerSecond`) removed at every depth. */
export function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'seconds' && k !== 'imagesPerSecond').map(([k, v]) => [k, withoutTimings(v)]));
  }
  return value;
}

/**
 * Leave what a writer SIGKILLed between writing and renaming leaves: a half-written temporary
 * `.<name>.tmp-<pid>-<hex>` next to `<dir>/<name>`, made by a real process that is then killed.
 */
export async function leaveTornTemporary(dir: string, name: string): Promise<string> {
  const script = `const f = require('node:path').join(process.argv[1], '.' + process.argv[2] + '.tmp-' + process.pid + '-0badf00d'); require('node:fs').writeFileSync(f, '{"torn'); console.log(f); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script, dir, name], { stdio: ['ignore', 'pipe', 'inherit'] });
  const file = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  const closed = new Promise((resolve) => child.on('close', resolve));
  child.kill('SIGKILL');
  await closed;
  return file;
}
