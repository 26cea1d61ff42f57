// Runs a corpus case through the real CLI in a child process: typed error on stderr, documented exit code, no stack, no output, bounded memory.
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_CODES } from '../../src/cli/output.ts';
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
/** Time limit of one CLI run. */
export const CHILD_TIMEOUT_MS = 60_000;

/** A CLI run's result, with the exit code and the child's peak RSS. */
export type CliCaseResult = CaseResult & { exit: number | null; peakRssMb: number };

/** Kinds that have a CLI path today. */
export function cliSupports(c: CorpusCase): boolean {
  return ['model', 'manifest', 'path', 'shard', 'plan', 'ratios', 'output'].includes(c.kind);
}

/** The prune command line for a case. */
export function cliArgs(c: CorpusCase, m: Materialized): string[] {
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
  const child = spawn(process.execPath, [`--max-old-space-size=${CHILD_HEAP_MB}`, '--import', RSS_PROBE, BIN, ...cliArgs(c, m)], {
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
  const memory = peakRssMb > CHILD_RSS_LIMIT_MB ? { memory: `peak RSS ${peakRssMb} MB over ${CHILD_RSS_LIMIT_MB} MB` } : {};
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
