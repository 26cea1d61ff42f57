// Results of the criteria benchmark: criteria.json and the Markdown report (every figure, seed spread, a plain verdict).
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BenchRow } from './records.ts';
import { keepSections } from '../results-sections.ts';

/** Facts about the run for the report's header. */
export interface RunFacts {
  command: string;
  date: string;
  machine: string;
  loadStart: string;
  loadEnd: string;
  budget: string;
  method: string;
  missing: string[];
}

/** Write a file through a temporary name and a rename. */
async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

const pct = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)}`;
const cutLabel = (r: BenchRow): string => (r.kind === 'budget' ? `budget (≈${pct(r.macsCut, 0)}% cut)` : `${pct(r.macsCut, 0)}%`);

/** Mean and sample standard deviation. */
function stats(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd };
}

/** "mean ± sd" of accuracies in percent (no spread with one seed). */
function accCell(values: number[]): string {
  const s = stats(values);
  return values.length > 1 ? `${pct(s.mean)} ± ${pct(s.sd)}` : pct(s.mean);
}

/** Rows grouped by sample, kind and cut (in first-seen order), then by criterion. */
function groupRows(rows: BenchRow[]): Map<string, Map<string, BenchRow[]>> {
  const out = new Map<string, Map<string, BenchRow[]>>();
  for (const r of rows) {
    const key = `${r.sample} · ${cutLabel(r)}`;
    const byCriterion = out.get(key) ?? new Map<string, BenchRow[]>();
    byCriterion.set(r.criterion, [...(byCriterion.get(r.criterion) ?? []), r]);
    out.set(key, byCriterion);
  }
  return out;
}

/** One sentence per setting: does FSCL beat the best baseline before and after fine-tuning? */
function verdicts(rows: BenchRow[]): { lines: string[]; summary: string } {
  const lines: string[] = [];
  let settings = 0;
  let winsPruned = 0;
  let winsTuned = 0;
  for (const [key, byCriterion] of groupRows(rows)) {
    const fscl = byCriterion.get('fscl');
    const others = [...byCriterion.entries()].filter(([c]) => c !== 'fscl');
    if (!fscl || others.length === 0) continue;
    settings += 1;
    const part = (field: 'accPruned' | 'accFinetuned'): string => {
      const mine = stats(fscl.map((r) => r[field]));
      const [bestName, bestRows] = others.reduce((a, b) => (stats(b[1].map((r) => r[field])).mean > stats(a[1].map((r) => r[field])).mean ? b : a));
      const best = stats(bestRows.map((r) => r[field]));
      const diff = (mine.mean - best.mean) * 100;
      const noise = Math.max(mine.sd, best.sd) * 100;
      if (diff > 0 && field === 'accPruned') winsPruned += 1;
      else if (diff > 0) winsTuned += 1;
      const within = noise > 0 && Math.abs(diff) <= noise ? ' (within the seed spread)' : '';
      return `${diff > 0 ? 'beats' : diff === 0 ? 'ties' : 'trails'} the best baseline ${bestName} by ${Math.abs(diff).toFixed(2)} points${within}`;
    };
    lines.push(`- ${key}: after pruning FSCL ${part('accPruned')}; after fine-tuning it ${part('accFinetuned')}.`);
  }
  const summary = settings === 0
    ? 'No setting compared FSCL with a baseline.'
    : `FSCL kept the most accuracy in ${winsPruned} of ${settings} settings right after pruning and in ${winsTuned} of ${settings} after fine-tuning; ${
      winsTuned * 2 > settings ? 'on these samples it beats the baselines more often than not' : 'on these samples it does not beat the baselines consistently'}.`;
  return { lines, summary };
}

/** The Markdown report. */
export function renderMarkdown(rows: BenchRow[], facts: RunFacts): string {
  const out: string[] = ['# Criteria benchmark: FSCL against L1, FPGM and random on CIFAR-10', ''];
  out.push(`- Command: \`${facts.command}\``, `- Date: ${facts.date}`, `- Machine: ${facts.machine}; load average at start ${facts.loadStart}, at end ${facts.loadEnd}`);
  out.push(`- Fine-tuning budget: ${facts.budget}`, `- Method: ${facts.method}`);
  const backends = [...new Set(rows.map((r) => r.finetune.backend))].join(', ');
  const runtimes = [...new Set(rows.flatMap((r) => Object.entries(r.runtimes ?? {}).map(([k, v]) => `${k}: ${v}`)))].join('; ');
  out.push(`- Training backend: ${backends || 'n/a'}; latency: ${runtimes || 'n/a'} (local method, this host; not a phone)`);
  if (facts.missing.length) out.push(`- Not run: ${facts.missing.join('; ')}`);
  const v = verdicts(rows);
  out.push('', '## Verdict', '', v.summary, '', ...v.lines);
  out.push('', '## Mean over seeds (accuracy %, mean ± standard deviation)', '');
  out.push('| setting | criterion | seeds | pruned | fine-tuned | MACs −% | params −% | speedup tfjs (min) | speedup onnx (min) | MACs ratio |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const [key, byCriterion] of groupRows(rows)) {
    for (const [criterion, list] of byCriterion) {
      const m = (f: (r: BenchRow) => number): string => stats(list.map(f)).mean.toFixed(2);
      out.push(`| ${key} | ${criterion} | ${list.map((r) => r.seed).join(',')} | ${accCell(list.map((r) => r.accPruned))} | ${accCell(list.map((r) => r.accFinetuned))} | ${pct(stats(list.map((r) => r.macsReduction)).mean, 1)} | ${pct(stats(list.map((r) => r.paramsReduction)).mean, 1)} | ${m((r) => r.speedupTfjs)}× (${m((r) => r.speedupTfjsMin)}×) | ${m((r) => r.speedupOnnx)}× (${m((r) => r.speedupOnnxMin)}×) | ${m((r) => r.macsSpeedup)}× |`);
    }
  }
  out.push('', '## Every row', '');
  out.push('| sample | cut | criterion | seed | drop ratio | MACs −% | params −% | base % | pruned % | fine-tuned % | tfjs ms base→pruned | speedup tfjs (min) | onnx ms base→pruned | speedup onnx (min) | MACs ratio | budget ms (predicted) | row s |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const budget = r.budget ? `${r.budget.latencyMs.toFixed(2)} (${r.budget.predictedMs.toFixed(2)}${r.budget.met ? '' : ', not met'})` : '';
    out.push(`| ${r.sample} | ${cutLabel(r)} | ${r.criterion} | ${r.seed} | ${r.dropRatio === null ? 'search' : r.dropRatio.toFixed(3)} | ${pct(r.macsReduction, 1)} | ${pct(r.paramsReduction, 1)} | ${pct(r.accBase)} | ${pct(r.accPruned)} | ${pct(r.accFinetuned)} | ${r.tfjs.baseMs.toFixed(2)}→${r.tfjs.prunedMs.toFixed(2)} | ${r.speedupTfjs.toFixed(2)}× (${r.speedupTfjsMin.toFixed(2)}×) | ${r.onnx.baseMs.toFixed(2)}→${r.onnx.prunedMs.toFixed(2)} | ${r.speedupOnnx.toFixed(2)}× (${r.speedupOnnxMin.toFixed(2)}×) | ${r.macsSpeedup.toFixed(2)}× | ${budget} | ${(r.seconds['total'] ?? 0).toFixed(0)} |`);
  }
  out.push('', 'Speedup = median latency of the unpruned bundle / median of the pruned one, both timed in the same process, interleaved round by round (in brackets: fastest run / fastest run, steadier on a busy machine); MACs ratio = MACs before / after. Latency is local (this host\'s CPU, one thread), not a phone.', '');
  return out.join('\n');
}

/** Write `<out>/criteria.json` ({ rows }) and the Markdown report. */
export async function writeResults(rows: BenchRow[], jsonPath: string, mdPath: string, facts: RunFacts): Promise<void> {
  await writeAtomic(jsonPath, `${JSON.stringify({ rows }, null, 2)}\n`);
  await writeAtomic(mdPath, await keepSections(mdPath, renderMarkdown(rows, facts)));
}
