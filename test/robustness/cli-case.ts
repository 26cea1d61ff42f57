// Runs a corpus case through the real CLI in a child process: typed error on stderr, documented exit code, no stack, no output, bounded memory.
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_CODES } from '../../src/cli/output.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';
import type { CorpusCase } from './case-types.ts';
import { changedEntries, snapshotTree, unjamFifos, type Materialized } from './materialize.ts';
import { criterionFor, type CaseResult } from './run-case.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'edge-prune.js');
const RSS_PROBE = join(ROOT, 'test', 'robustness', 'rss-probe.mjs');

/** Heap limit of the child (V8 old space, MB); typed arrays are measured by the RSS ceiling below. */
export const CHILD_HEAP_MB = 256;
/** Peak RSS a child may reach on the small corpus fixtures (MB); a clean run of the CLI peaks near 170. */
export const CHILD_RSS_LIMIT_MB = 450;
/** Peak RSS for data-folder cases: eval and finetune load TensorFlow's native library (a clean run peaks near 460 MB). */
export const CHILD_RSS_LIMIT_DATA_MB = 800;
/** Time limit of one CLI run. */
export const CHILD_TIMEOUT_MS = 60_000;

/** A CLI run's result, with the exit code and the child's peak RSS. */
export type CliCaseResult = CaseResult & { exit: number | null; peakRssMb: number };

/** Target cases whose hostile part is a profile in the case's own config root (the CLI reads the package's profiles). */
const ROOT_DEPENDENT = new Set(['target/profile file is invalid JSON']);

/** Cases that have a CLI path: model inputs through `prune`, targets through `plan --target <file>`, data folders through `eval`/`finetune`. */
export function cliSupports(c: CorpusCase): boolean {
  if (c.kind === 'target') return !ROOT_DEPENDENT.has(c.id);
  if (c.kind === 'data') return c.run.command !== 'load';
  return ['model', 'manifest', 'path', 'shard', 'plan', 'ratios', 'output'].includes(c.kind);
}

/** The command line for a case. */
export async function cliArgs(c: CorpusCase, m: Materialized): Promise<string[]> {
  if (c.kind === 'data') {
    const args = await (await import('./data-case.ts')).dataCliArgs(c, m);
    if (!args) throw new Error(`corpus: case ${c.id} has no CLI path`);
    return args;
  }
  if (c.kind === 'target') {
    // A manual plan of the smallest fixture: the target file is read first, nothing heavy runs after it.
    const model = await ensureFixture('chain');
    return ['plan', model, '--target', join(m.dir, c.run.config as string), '--search', 'manual', '--ratio', '0', '--out', m.outDir];
  }
  const args = ['prune', join(m.dir, c.run.model ?? 'model.json'), '--out', m.outDir, '--criterion', criterionFor(c)];
  if (c.run.plan) args.push('--plan', join(m.dir, c.run.plan));
  else if (c.run.ratios) args.push('--ratios', join(m.dir, c.run.ratios));
  else args.push('--ratio', String(c.run.ratio ?? 0.3));
  return args;
}

/** Run the CLI on a materialized case and check the contract. */
export async function runCaseCli(c: CorpusCase, m: Materialized): Promise<CliCaseResult> {
  const tree = await snapshotTree(m.root);
  const rssFile = join(m.root, 'rss.txt');
  const started = performance.now();
  const args = await cliArgs(c, m);
  const child = spawn(process.execPath, [`--max-old-space-size=${CHILD_HEAP_MB}`, '--import', RSS_PROBE, BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, EP_RSS_FILE: rssFile, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  let hung = false;
  const timer = setTimeout(() => { hung = true; void unjamFifos(m); child.kill('SIGKILL'); }, CHILD_TIMEOUT_MS);
  const exit = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  const ms = Math.round(performance.now() - started);
  const peakRssMb = Math.round(Number(await readFile(rssFile, 'utf8').catch(() => '0')) / 1024);
  await rm(rssFile, { force: true });
  const warnings: string[] = [];
  const match = /^error ([A-Z_]+): (.+)$/m.exec(stderr);
  const stack = /^\s+at .+\(.*:\d+:\d+\)$/m.test(stderr) || /^\s+at /m.test(stderr);
  const left = changedEntries(tree, await snapshotTree(m.root));
  const limit = c.kind === 'data' ? CHILD_RSS_LIMIT_DATA_MB : CHILD_RSS_LIMIT_MB;
  const memory = peakRssMb > limit ? { memory: `peak RSS ${peakRssMb} MB over ${limit} MB` } : {};
  const base = { id: c.id, kind: c.kind, warnings, ms, peakGrowthMb: 0, exit, peakRssMb, ...memory };
  if (hung) return { ...base, outcome: 'crash', message: `no exit after ${CHILD_TIMEOUT_MS} ms (hang)` };
  if (exit === 0) {
    return { ...base, outcome: 'ok', ...(c.expect === 'error' ? { missed: 'accepted' as const } : {}), ...(stderr.trim() ? { message: stderr.slice(0, 300) } : {}) };
  }
  const code = match?.[1];
  if (!match || code === 'INTERNAL' || stack || exit === null) {
    return { ...base, outcome: 'crash', ...(code ? { code } : {}), message: `exit ${exit}; stderr: ${stderr.slice(0, 400)}` };
  }
  const result: CliCaseResult = { ...base, outcome: 'error', code: code as string, message: match[2] as string, ...(c.expect === 'ok' ? { missed: 'rejected' as const } : {}) };
  const documented = EXIT_CODES[code as keyof typeof EXIT_CODES];
  if (documented === undefined || documented !== exit) warnings.push(`exit ${exit} for ${code}, documented ${documented}`);
  if (!/^hint: .+/m.test(stderr)) warnings.push('no hint line');
  if (stdout.trim()) warnings.push(`stdout not empty: ${stdout.slice(0, 80)}`);
  if (c.codes && !c.codes.includes(code as never)) warnings.push(`code ${code}, expected one of ${c.codes.join('/')}`);
  if (left.length > 0) result.partial = `files written or changed despite ${code}: ${left.join(', ')}`;
  return result;
}
