// Runs the whole corpus in-process and a seeded sample through the CLI, and summarizes crashes, partial outputs and misses.
import { createRandom, shuffleInPlace } from '../../src/core/random.ts';
import type { CaseKind, CorpusCase } from './case-types.ts';
import { cliSupports, runCaseCli } from './cli-case.ts';
import { loadBases, type BaseFixture } from './corpus-base.ts';
import { buildCorpus, CORPUS_SEED } from './corpus.ts';
import { materializeCase, removeCase } from './materialize.ts';
import { runCaseInProcess, type CaseResult } from './run-case.ts';

/** Options of a corpus run. */
export interface RunOptions {
  seed?: number;
  /** How many cases also go through the real CLI (child processes), besides every data-folder case. */
  cliSample?: number;
  /** How many data-folder cases go through the CLI (a seeded sample, must-fail cases first; default: all). */
  dataCli?: number;
  /** Child processes at a time. */
  concurrency?: number;
  /** Only cases whose id contains this text. */
  filter?: string;
  /** Progress and findings go here (default: nowhere). */
  log?: (line: string) => void;
}

/** What a corpus run found. */
export interface RunSummary {
  /** Inputs run (cases not skipped). */
  tried: number;
  skipped: number;
  cliRuns: number;
  results: CaseResult[];
  cliResults: CaseResult[];
  crashes: CaseResult[];
  partial: CaseResult[];
  missed: CaseResult[];
  memory: CaseResult[];
  warnings: CaseResult[];
  byKind: Partial<Record<CaseKind, number>>;
  inProcessMs: number;
  cliMs: number;
  /** Peak RSS of this process at the end (MB). */
  peakRssMb: number;
  /** Highest peak RSS of a CLI child (MB). */
  childPeakRssMb: number;
}

/** A seeded sample of `n` CLI-capable cases (data cases aside: they all run through the CLI): the ones marked `cli`, then round-robin over kinds, must-fail cases first. */
export function sampleForCli(cases: readonly CorpusCase[], n: number, seed: number): CorpusCase[] {
  const random = createRandom(seed ^ 0x5eed);
  const byKind = new Map<CaseKind, CorpusCase[]>();
  for (const c of cases.filter((x) => cliSupports(x) && x.kind !== 'data')) {
    const list = byKind.get(c.kind) ?? [];
    list.push(c);
    byKind.set(c.kind, list);
  }
  for (const list of byKind.values()) {
    shuffleInPlace(list, random);
    list.sort((a, b) => Number(b.expect === 'error') - Number(a.expect === 'error'));
  }
  const out: CorpusCase[] = cases.filter((c) => c.cli && cliSupports(c)).slice(0, n);
  for (const list of byKind.values()) for (let i = list.length - 1; i >= 0; i--) if (out.includes(list[i] as CorpusCase)) list.splice(i, 1);
  while (out.length < n && [...byKind.values()].some((l) => l.length > 0)) {
    for (const list of byKind.values()) {
      const next = list.shift();
      if (next && out.length < n) out.push(next);
    }
  }
  return out;
}

/** A seeded sample of `n` data cases: must-fail ones first, then the rest, each group shuffled. */
function sampleData(cases: readonly CorpusCase[], n: number, seed: number): CorpusCase[] {
  const random = createRandom(seed ^ 0xda7a);
  const keyed = cases.map((c) => ({ c, k: (c.expect === 'error' ? 0 : 1) + random() }));
  return keyed.sort((a, b) => a.k - b.k).slice(0, n).map((x) => x.c);
}

/** Run `task` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** One line describing a finding. */
export function describeResult(r: CaseResult, how: string): string {
  const what = [r.outcome, r.code, r.missed === 'accepted' ? 'ACCEPTED (must fail)' : r.missed === 'rejected' ? 'REJECTED (valid input)' : '', r.partial ? `partial: ${r.partial}` : '', r.memory ?? '', ...r.warnings].filter(Boolean).join(' | ');
  return `  [${how}] ${r.id}: ${what}${r.message && r.outcome === 'crash' ? `\n      ${r.message}` : ''}`;
}

/** Build the corpus, run every case in-process and a sample through the CLI. */
export async function runCorpus(options: RunOptions = {}): Promise<RunSummary> {
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? CORPUS_SEED;
  const bases: Map<string, BaseFixture> = await loadBases();
  const all = await buildCorpus({ seed, bases });
  const cases = options.filter ? all.filter((c) => c.id.includes(options.filter as string)) : all;
  const byKind: Partial<Record<CaseKind, number>> = {};
  for (const c of cases) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  log(`corpus: ${cases.length} cases (${Object.entries(byKind).map(([k, n]) => `${k} ${n}`).join(', ')})`);

  // Build the data cases' model (and start the training backend) first, so no case is charged for it.
  if (cases.some((c) => c.kind === 'data')) await (await import('./data-case.ts')).dataModel();
  const t0 = performance.now();
  const results: CaseResult[] = [];
  for (const c of cases) {
    const m = await materializeCase(c, bases);
    try {
      results.push(await runCaseInProcess(c, m));
    } finally {
      await removeCase(m);
    }
  }
  const inProcessMs = Math.round(performance.now() - t0);

  const t1 = performance.now();
  const dataCli = cases.filter((c) => c.kind === 'data' && cliSupports(c));
  const sample = [...sampleForCli(cases, options.cliSample ?? 30, seed), ...(options.dataCli === undefined ? dataCli : sampleData(dataCli, options.dataCli, seed))];
  const cliResults = await pool(sample, options.concurrency ?? 2, async (c) => {
    const m = await materializeCase(c, bases);
    try {
      return await runCaseCli(c, m);
    } finally {
      await removeCase(m);
    }
  });
  const cliMs = Math.round(performance.now() - t1);

  const both = [...results, ...cliResults];
  const summary: RunSummary = {
    tried: results.filter((r) => r.outcome !== 'skipped').length,
    skipped: results.filter((r) => r.outcome === 'skipped').length,
    cliRuns: cliResults.length,
    results,
    cliResults,
    crashes: both.filter((r) => r.outcome === 'crash'),
    partial: both.filter((r) => r.partial),
    missed: both.filter((r) => r.missed),
    memory: both.filter((r) => r.memory),
    warnings: both.filter((r) => r.warnings.length > 0),
    byKind,
    inProcessMs,
    cliMs,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    childPeakRssMb: Math.max(0, ...cliResults.map((r) => (r as { peakRssMb?: number }).peakRssMb ?? 0)),
  };
  const tag = (r: CaseResult): string => ((cliResults as CaseResult[]).includes(r) ? 'cli' : 'lib');
  for (const r of [...summary.crashes, ...summary.partial, ...summary.missed, ...summary.memory]) log(describeResult(r, tag(r)));
  for (const r of summary.warnings) log(describeResult(r, `${tag(r)} warning`));
  return summary;
}

/** The summary lines; the last is the one `npm run test:robustness` promises. */
export function summaryLines(s: RunSummary): string[] {
  return [
    `in-process: ${s.tried} cases in ${(s.inProcessMs / 1000).toFixed(1)} s (peak RSS ${s.peakRssMb} MB); CLI: ${s.cliRuns} cases in ${(s.cliMs / 1000).toFixed(1)} s (child peak RSS ${s.childPeakRssMb} MB); skipped ${s.skipped} (no loader yet)`,
    `wrong verdicts (must-fail accepted or valid rejected): ${s.missed.length}; over the memory bound: ${s.memory.length}; warnings: ${s.warnings.length}`,
    `${s.tried} inputs tried, ${s.crashes.length} crashes, ${s.partial.length} partial outputs`,
  ];
}

/** Did the run pass (nothing fatal)? */
export function passed(s: RunSummary): boolean {
  return s.crashes.length === 0 && s.partial.length === 0 && s.missed.length === 0 && s.memory.length === 0;
}

