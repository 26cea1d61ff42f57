// Criteria benchmark (issue #9): FSCL vs L1, FPGM and random at fixed MACs cuts and in a pixel7 budget search, on CIFAR-10.
//
//   npm run bench:criteria [-- --samples vgg,resnet --cuts 0.5,0.75 --criteria fscl,l1,fpgm,random --seeds 1,2,3
//                            --epochs 1 --train-limit N --test-limit N --out bench/results
//                            --queue redis://host:6379 --store /mnt/store]   (rows on `edge-prune worker --jobs bench/criteria/row-jobs.ts`)
//
// Resumable: every finished row is appended to <out>/criteria.partial.jsonl; a rerun skips finished rows.
// Writes <out>/criteria.json and bench/RESULTS.md (or <out>/RESULTS.md for another --out).
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchLogger } from './bench-logger.ts';
import { formatDuration } from '../src/finetune/progress.ts';
import { loadTarget } from '../src/targets/load-targets.ts';
import { resourcePredictor } from '../src/latency/target-predictor.ts';
import { shrinkGraph } from '../src/search/shrink-graph.ts';
import { planFromRatios } from '../src/search/ratio-plan.ts';
import { scoreModel } from '../src/score/score-model.ts';
import { findUniformRatio } from './criteria/cut.ts';
import { parseBenchOptions, type BenchOptions } from './criteria/options.ts';
import { appendCheckpoint, readCheckpoint, rowKey, type BenchRow, type CheckpointRecord } from './criteria/records.ts';
import { writeResults, type RunFacts } from './criteria/report.ts';
import { runRow, type RowSpec, type SampleContext } from './criteria/run-row.ts';
import { loadSample, settingsSignature } from './criteria/sample.ts';

let overall = '';

/** Timestamped lines; fine-tuning progress at most every 20 s, with the whole run's position and ETA. */
const logger = benchLogger(20_000, () => overall);

/** The rows of one sample, in run order: every cut × criterion, then the budget search rows. */
function planRows(ctx: SampleContext, options: BenchOptions, seed: number): RowSpec[] {
  const specs: RowSpec[] = [];
  for (const cut of options.cuts(ctx.name)) {
    const u = findUniformRatio(ctx.analysis, cut, options.round);
    for (const criterion of options.criteria) specs.push({ kind: 'cut', macsCut: cut, ratio: u.ratio, criterion, seed });
  }
  if (options.budgetCriteria.length > 0) {
    // The budget: the pixel7 predicted latency of the model cut by `budgetCut` at the uniform ratio.
    const u = findUniformRatio(ctx.analysis, options.budgetCut, options.round);
    const scores = scoreModel('l1', { bundle: ctx.bundle, graph: ctx.analysis.graph, groups: ctx.analysis.groups, seed });
    const graph = shrinkGraph(ctx.analysis.graph, ctx.analysis.groups, planFromRatios(ctx.analysis.groups, scores, u.ratio, options.round));
    const latencyMs = Math.round(resourcePredictor(loadTarget('pixel7'))(graph).latencyMs * 1000) / 1000;
    for (const criterion of options.budgetCriteria) specs.push({ kind: 'budget', macsCut: options.budgetCut, latencyMs, criterion, seed });
  }
  return specs;
}

/** Text of the fine-tuning budget and method for the report. */
function describeRun(options: BenchOptions, contexts: SampleContext[]): Pick<RunFacts, 'budget' | 'method'> {
  const ctx = contexts[0];
  const trainN = ctx?.train.labels.length ?? 0;
  const testN = ctx?.test.labels.length ?? 0;
  return {
    budget: `${options.epochs} epoch(s) on ${trainN} CIFAR-10 training images (${options.trainLimit ? 'a seeded subset of the train folder' : 'the full train folder'}), batch 64, SGD momentum 0.9, weight decay 5e-4, peak learning rate 0.01 with cosine decay, distillation from the unpruned sample (T 4, weight 0.7) + cross-entropy, pad-and-crop + flip augmentation; the same epochs, seed and schedule for every criterion. Seeds: ${options.seeds.join(', ')} (a seed sets the random criterion, BN sample and fine-tuning order).`,
    method: `each cut uses ONE uniform drop ratio over every prunable channel group (found by bisection on the MACs of the pruned graph, kept channel counts rounded to multiples of ${options.round}${options.round === 8 ? ' as the pixel7 target does' : ''}; the realized cut is in the MACs column), shared by all criteria, so only the choice of channels differs. "pruned" = accuracy right after pruning with BatchNorm statistics re-estimated on ${options.bnImages} training images; "fine-tuned" = after the budget above; both on ${testN} test images. Budget rows: NetAdapt search (target pixel7, channel rounding 8, candidates by accuracy after BN re-estimation on 512 + 512 training images) to a latency budget = pixel7's predicted latency of the ${Math.round(options.budgetCut * 100)}%-MACs-cut model, then the same fine-tuning.`,
  };
}

/** Rows of the checkpoint under the current settings, de-duplicated by key (the last wins). */
function collectRows(records: CheckpointRecord[], settings: string): BenchRow[] {
  const byKey = new Map<string, BenchRow>();
  for (const r of records) if (r.kind !== 'baseline' && r.settings === settings) byKey.set(rowKey(r), r);
  return [...byKey.values()];
}

let options: BenchOptions;
try {
  options = parseBenchOptions(process.argv.slice(2));
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exit(2);
}
const started = new Date();
const loadStart = loadavg().map((l) => l.toFixed(2)).join(' ');
const checkpoint = join(options.out, 'criteria.partial.jsonl');
const settings = settingsSignature(options);
logger.info(`criteria benchmark → ${options.out} (settings ${settings}; checkpoint ${checkpoint})`);
const done = await readCheckpoint(checkpoint);

const contexts: SampleContext[] = [];
const missing: string[] = [];
for (const spec of options.samples) {
  const ctx = await loadSample(spec, options, done, checkpoint, logger);
  if (ctx) contexts.push(ctx);
  else missing.push(`sample ${spec.name} (${spec.model} missing)`);
}
const queue: { ctx: SampleContext; spec: RowSpec }[] = [];
for (const seed of options.seeds) for (const ctx of contexts) for (const spec of planRows(ctx, options, seed)) queue.push({ ctx, spec });
const finished = new Set(collectRows(done, settings).map(rowKey));
const todo = queue.filter((q) => !finished.has(rowKey({ ...q.spec, sample: q.ctx.name, settings })));
logger.info(`${queue.length} rows planned, ${queue.length - todo.length} already finished, ${todo.length} to run`);

const facts = (): RunFacts => ({
  command: options.command,
  date: started.toISOString(),
  machine: `${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GB RAM, Node ${process.versions.node}`,
  loadStart,
  loadEnd: loadavg().map((l) => l.toFixed(2)).join(' '),
  ...describeRun(options, contexts),
  missing,
});
const failures: string[] = [];
const rowSeconds: number[] = [];
if (options.queue) {
  // Every row at once as a job on the workers; a row's job id is the hash of its arguments, so a rerun reuses finished jobs and never duplicates a row.
  const { runRowsOnQueue } = await import('./criteria/queue-rows.ts');
  failures.push(...(await runRowsOnQueue(todo, options, checkpoint, logger)));
}
for (const [i, { ctx, spec }] of (options.queue ? [] : todo).entries()) {
  const left = rowSeconds.length ? (rowSeconds.reduce((a, b) => a + b, 0) / rowSeconds.length) * (todo.length - i) : Number.NaN;
  overall = `row ${i + 1}/${todo.length}, run ETA ${formatDuration(left)}`;
  const label = `${ctx.name} ${spec.kind === 'cut' ? `cut ${Math.round(spec.macsCut * 100)}%` : `budget ${spec.latencyMs} ms (pixel7)`} ${spec.criterion} seed ${spec.seed}`;
  logger.info(`[${i + 1}/${todo.length}] ${label}${Number.isFinite(left) ? ` (ETA for the run ${formatDuration(left)})` : ''}`);
  const t0 = performance.now();
  try {
    const row = await runRow(ctx, spec, options, logger);
    await appendCheckpoint(checkpoint, row);
    rowSeconds.push((performance.now() - t0) / 1000);
    logger.info(`  done in ${formatDuration(rowSeconds[rowSeconds.length - 1] as number)}: MACs −${(row.macsReduction * 100).toFixed(1)}%, speedup tfjs ${row.speedupTfjs.toFixed(2)}× onnx ${row.speedupOnnx.toFixed(2)}× (MACs ratio ${row.macsSpeedup.toFixed(2)}×); stages ${JSON.stringify(row.seconds)}`);
    await writeResults(collectRows(await readCheckpoint(checkpoint), settings), join(options.out, 'criteria.json'), options.resultsMd, facts());
  } catch (error) {
    failures.push(`${label}: ${(error as Error).message}`);
    logger.warn(`row failed (${label}): ${(error as Error).stack ?? String(error)}`);
  }
}
const rows = collectRows(await readCheckpoint(checkpoint), settings);
await writeResults(rows, join(options.out, 'criteria.json'), options.resultsMd, facts());
logger.info(`wrote ${join(options.out, 'criteria.json')} (${rows.length} rows) and ${options.resultsMd}`);
if (failures.length > 0) {
  console.log(`${failures.length} row(s) failed:\n${failures.map((f) => `  ${f}`).join('\n')}`);
  process.exit(1);
}
