// Runs one corpus case in-process through the library's entry points and classifies what happened.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { writeJsonAtomic } from '../../src/core/atomic-write.ts';
import { isEdgePruneError, type EdgePruneError } from '../../src/core/errors.ts';
import { hashString } from '../../src/core/random.ts';
import type { PrunePlan } from '../../src/core/types.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { requireSeparateOutput } from '../../src/bundle/safe-path.ts';
import { writeBundle } from '../../src/bundle/write-bundle.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { CRITERIA, scoreModel } from '../../src/score/score-model.ts';
import { planFromRatios, type DropRatios } from '../../src/search/ratio-plan.ts';
import { readJsonOption } from '../../src/cli/load-model.ts';
import { loadModel } from '../../src/import/load-model.ts';
import type { CaseKind, CorpusCase, RunSpec } from './case-types.ts';
import { changedEntries, snapshotTree, unjamFifos, type Materialized } from './materialize.ts';

/**
 * What one run did: `error` (a typed EdgePruneError), `ok` (accepted, output valid), `crash` (any
 * other exception, an INTERNAL error, or a hang), `skipped` (no adapter for the kind yet).
 */
export interface CaseResult {
  id: string;
  kind: CaseKind;
  outcome: 'error' | 'ok' | 'crash' | 'skipped';
  code?: string;
  message?: string;
  /** Files left in the output folder after an error, or an accepted output that does not load back. */
  partial?: string;
  /** A wrong verdict: an input that must fail was accepted, or one that must load was rejected. */
  missed?: 'accepted' | 'rejected';
  /** Memory beyond the bound (in-process peak growth or a child's peak RSS). */
  memory?: string;
  /** Soft findings: an unexpected error code, a missing hint, a huge message. */
  warnings: string[];
  ms: number;
  /** Growth of the process's peak RSS during the case, MB. */
  peakGrowthMb: number;
}

/** Per-case time limit; a run that takes longer counts as a hang (a crash). */
export const CASE_TIMEOUT_MS = 20_000;

/** Largest growth of the process's peak RSS one case may cause (the fixtures are under 200 kB). */
export const CASE_PEAK_GROWTH_MB = 256;

/** The criterion a case is scored with (spread over all criteria, stable per case). */
export function criterionFor(c: CorpusCase): string {
  if (c.run.criterion) return c.run.criterion;
  const names = Object.keys(CRITERIA);
  return names[hashString(c.id) % names.length] as string;
}

/**
 * The whole model pipeline as `edge-prune prune` runs it: load, analyze, score or read a plan, apply
 * it, analyze the result, write the bundle and plan into `outDir`. Returns soft findings.
 */
export async function runPipeline(dir: string, outDir: string, run: RunSpec, criterion: string): Promise<string[]> {
  const warnings: string[] = [];
  await requireSeparateOutput(outDir, join(dir, run.model ?? 'model.json'));
  const bundle = await loadModel(join(dir, run.model ?? 'model.json'));
  const before = analyzeModel(bundle);
  let plan: unknown;
  if (run.plan) plan = await readJsonOption(join(dir, run.plan), '--plan');
  else {
    const scores = scoreModel(criterion, { bundle, graph: before.graph, groups: before.groups, seed: 0 });
    const bad = scores.groups.find((g) => g.scores.some((x) => !Number.isFinite(x)));
    if (bad) warnings.push(`non-finite ${scores.criterion} scores in group ${bad.id} (JSON prints them as null)`);
    const ratios = run.ratios ? ((await readJsonOption(join(dir, run.ratios), '--ratios')) as DropRatios) : (run.ratio ?? 0.3);
    plan = planFromRatios(before.groups, scores, ratios);
  }
  const pruned = applyPlan(bundle, before.groups, plan as PrunePlan);
  analyzeModel(pruned);
  await writeBundle(pruned, outDir);
  await writeJsonAtomic(join(outDir, 'plan.json'), plan);
  return warnings;
}

/** Check an accepted run's output: the written bundle loads and analyzes again. Returns the problem, if any. */
export async function checkOutput(outDir: string): Promise<string | undefined> {
  try {
    analyzeModel(await readBundle(join(outDir, 'model.json')));
    return undefined;
  } catch (error) {
    return `the written bundle does not load back: ${(error as Error).message.slice(0, 200)}`;
  }
}

/** Load a profile or target with the case folder as the config root. */
async function runConfig(c: CorpusCase, m: Materialized): Promise<string[]> {
  const mod = await import('../../src/targets/load-targets.ts');
  const path = join(m.dir, c.run.config as string);
  if (c.kind === 'profile') mod.loadProfile(path, { root: m.dir });
  else mod.loadTarget(path, { root: m.dir });
  return [];
}

/** Kinds whose library entry point exists in this checkout. */
export function kindAvailable(kind: CaseKind): boolean {
  if (kind === 'target' || kind === 'profile') return existsSync(new URL('../../src/targets/load-targets.ts', import.meta.url));
  if (kind === 'data') return existsSync(new URL('../../src/data/load-data.ts', import.meta.url));
  return true;
}

/** Run the case's adapter. */
async function runAdapter(c: CorpusCase, m: Materialized): Promise<string[]> {
  if (c.kind === 'target' || c.kind === 'profile') return runConfig(c, m);
  if (c.kind === 'data') return (await import('./data-case.ts')).runDataCase(c, m);
  return runPipeline(m.dir, m.outDir, c.run, criterionFor(c));
}

/** Does an accepted run of this case write a bundle to check (configs, eval and the bare loader write nothing)? */
async function writesBundle(c: CorpusCase): Promise<boolean> {
  if (c.kind === 'target' || c.kind === 'profile') return false;
  if (c.kind === 'data') return (await import('./data-case.ts')).dataCommand(c) === 'finetune';
  return true;
}

/** Soft checks on a typed error: expected code, a hint, a bounded message. */
function errorWarnings(c: CorpusCase, e: EdgePruneError): string[] {
  const out: string[] = [];
  if (c.codes && !c.codes.includes(e.code)) out.push(`code ${e.code}, expected one of ${c.codes.join('/')}`);
  if (!e.hint) out.push('no hint');
  if (!e.where) out.push('no "where"');
  if (e.message.length > 2000) out.push(`message of ${e.message.length} characters`);
  return out;
}

/** Run one materialized case in-process and classify the result. */
export async function runCaseInProcess(c: CorpusCase, m: Materialized): Promise<CaseResult> {
  const base = { id: c.id, kind: c.kind, warnings: [] as string[] };
  if (!kindAvailable(c.kind)) return { ...base, outcome: 'skipped', ms: 0, peakGrowthMb: 0 };
  const tree = await snapshotTree(m.root);
  const peakBefore = process.resourceUsage().maxRSS;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), CASE_TIMEOUT_MS); });
  let result: CaseResult;
  try {
    const running = runAdapter(c, m);
    const r = await Promise.race([running, timeout]);
    if (r === 'timeout') {
      // Unblock a reader stuck on a FIFO and let the run finish before its folder is removed.
      await unjamFifos(m);
      await Promise.race([running.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5000))]);
      result = { ...base, outcome: 'crash', message: `no result after ${CASE_TIMEOUT_MS} ms (hang)`, ms: 0, peakGrowthMb: 0 };
    }
    else {
      const bad = (await writesBundle(c)) ? await checkOutput(m.outDir) : undefined;
      base.warnings.push(...r);
      result = { ...base, outcome: 'ok', ...(bad ? { partial: bad } : {}), ...(c.expect === 'error' ? { missed: 'accepted' as const } : {}), ms: 0, peakGrowthMb: 0 };
    }
  } catch (error) {
    if (isEdgePruneError(error) && error.code !== 'INTERNAL') {
      result = { ...base, outcome: 'error', code: error.code, message: error.message, warnings: errorWarnings(c, error), ...(c.expect === 'ok' ? { missed: 'rejected' as const } : {}), ms: 0, peakGrowthMb: 0 };
      const left = changedEntries(tree, await snapshotTree(m.root));
      if (left.length > 0) result.partial = `files written or changed despite ${error.code}: ${left.join(', ')}`;
    } else {
      const e = error as Error;
      const at = e?.stack?.split('\n').find((l) => l.includes('/src/'))?.trim() ?? '';
      result = { ...base, outcome: 'crash', code: isEdgePruneError(error) ? 'INTERNAL' : e?.name, message: `${String(e?.message ?? e).slice(0, 300)} ${at}`, ms: 0, peakGrowthMb: 0 };
    }
  } finally {
    clearTimeout(timer);
  }
  result.ms = Math.round(performance.now() - started);
  result.peakGrowthMb = Math.round((process.resourceUsage().maxRSS - peakBefore) / 1024);
  if (result.peakGrowthMb > CASE_PEAK_GROWTH_MB) result.memory = `peak RSS grew ${result.peakGrowthMb} MB during the case`;
  return result;
}
