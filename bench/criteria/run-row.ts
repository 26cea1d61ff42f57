// One benchmark row: plan (uniform cut or budget search) → prune → BN re-estimation → accuracy → fine-tune → accuracy → export → latency.
import { join } from 'node:path';
import { analyzeModel, type Analysis } from '../../src/analyze/analyze-model.ts';
import type { Logger } from '../../src/core/logger.ts';
import type { ModelBundle, PrunePlan } from '../../src/core/types.ts';
import { sampleDataset, splitDataset, type ImageDataset } from '../../src/data/dataset.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { scoreModel } from '../../src/score/score-model.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';
import { planFromRatios } from '../../src/search/ratio-plan.ts';
import { describeChannels } from './cut.ts';
import { measurePair } from './latency.ts';
import type { BenchOptions } from './options.ts';
import type { BenchRow } from './records.ts';

/** What every row of one sample shares. */
export interface SampleContext {
  name: string;
  bundle: ModelBundle;
  analysis: Analysis;
  accBase: number;
  /** Export folder of the unpruned sample (tfjs + onnx). */
  baseExport: string;
  /** Fine-tuning images (the training folder, or `--train-limit` of it). */
  train: ImageDataset;
  /** The whole training folder (BN re-estimation and the search's subsets come from it). */
  trainAll: ImageDataset;
  test: ImageDataset;
  settings: string;
}

/** The settings a row runs under (what a queued row carries; `out` is where its exports go). */
export type RowOptions = Pick<BenchOptions, 'round' | 'bnImages' | 'epochs' | 'backend' | 'out' | 'latencyRounds' | 'latencyRuns'>;

/** What a row is. */
export type RowSpec =
  | { kind: 'cut'; macsCut: number; ratio: number; criterion: string; seed: number }
  | { kind: 'budget'; macsCut: number; latencyMs: number; criterion: string; seed: number };

/** Run `work` and add its seconds to `times[name]`. */
async function timed<T>(times: Record<string, number>, name: string, work: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  const out = await work();
  times[name] = Math.round((performance.now() - t0) / 100) / 10;
  return out;
}

/** Decide the plan of a row: the criterion's lowest channels at the shared ratio, or a pixel7 budget search. */
async function decide(ctx: SampleContext, spec: RowSpec, options: RowOptions, logger: Logger): Promise<{ plan: PrunePlan; budget: BenchRow['budget'] }> {
  const { bundle, analysis } = ctx;
  const { evaluateAccuracy } = await import('../../src/runtime/train-eval.ts');
  const { reestimateBatchNorm } = await import('../../src/runtime/train-bn.ts');
  if (spec.kind === 'cut') {
    const scores = scoreModel(spec.criterion, { bundle, graph: analysis.graph, groups: analysis.groups, seed: spec.seed });
    return { plan: planFromRatios(analysis.groups, scores, spec.ratio, options.round), budget: null };
  }
  // As the pipeline does: candidates compared by accuracy after BN re-estimation on 512 + 512 training images.
  const pool = splitDataset(sampleDataset(ctx.trainAll, 1024, spec.seed + 2), 0.5, spec.seed + 3);
  const evaluate = async (candidate: ModelBundle): Promise<number> =>
    (await evaluateAccuracy(await reestimateBatchNorm(candidate, pool.train, { seed: spec.seed, ...(options.backend ? { backend: options.backend } : {}) }), pool.validation)).accuracy;
  const { planSearch } = await import('../../src/search/plan-search.ts');
  const search = await planSearch({ bundle, analysis, target: loadTarget('pixel7'), budget: { latencyMs: spec.latencyMs }, criterion: spec.criterion, mode: 'netadapt', seed: spec.seed, evaluate, logger });
  return { plan: search.plan, budget: { latencyMs: spec.latencyMs, predictedMs: search.predicted.latencyMs, met: search.met, rounds: search.rounds.length } };
}

/** A file-name-safe slug of a row. */
export function rowSlug(spec: RowSpec): string {
  return `${spec.kind}-${Math.round(spec.macsCut * 100)}-${spec.criterion}-s${spec.seed}`;
}

/** Run one row end to end and return its record. */
export async function runRow(ctx: SampleContext, spec: RowSpec, options: RowOptions, logger: Logger): Promise<BenchRow> {
  const times: Record<string, number> = {};
  const t0 = performance.now();
  const backend = options.backend ? { backend: options.backend } : {};
  const { evaluateAccuracy } = await import('../../src/runtime/train-eval.ts');
  const { reestimateBatchNorm } = await import('../../src/runtime/train-bn.ts');
  const { finetune } = await import('../../src/finetune/finetune.ts');
  const { exportBundle } = await import('../../src/export/export-bundle.ts');

  const { plan, budget } = await timed(times, spec.kind === 'cut' ? 'score' : 'search', () => decide(ctx, spec, options, logger));
  const pruned = applyPlan(ctx.bundle, ctx.analysis.groups, plan);
  const bnBatch = 128;
  const reestimated = await timed(times, 'bn', () => reestimateBatchNorm(pruned, ctx.trainAll, { seed: spec.seed, batch: bnBatch, batches: Math.ceil(options.bnImages / bnBatch), ...backend }));
  const accPruned = (await timed(times, 'evalPruned', () => evaluateAccuracy(reestimated, ctx.test, backend))).accuracy;
  logger.info(`  pruned (BN re-estimated): ${(accPruned * 100).toFixed(2)}%`);
  const tuned = await timed(times, 'finetune', () => finetune(reestimated, { train: ctx.train, teacher: ctx.bundle, epochs: options.epochs, seed: spec.seed, logger, ...backend }));
  const accFinetuned = (await timed(times, 'evalFinetuned', () => evaluateAccuracy(tuned.bundle, ctx.test, backend))).accuracy;
  logger.info(`  fine-tuned: ${(accFinetuned * 100).toFixed(2)}% (${tuned.summary.imagesPerSecond.toFixed(0)} img/s on ${tuned.summary.backend})`);

  const exportDir = join(options.out, 'exports', ctx.name, rowSlug(spec));
  await timed(times, 'export', () => exportBundle(tuned.bundle, { formats: ['tfjs', 'onnx'], outDir: exportDir, seed: 1 }));
  const latency = await timed(times, 'latency', () => measurePair(ctx.baseExport, exportDir, options.latencyRounds, options.latencyRuns));
  const after = analyzeModel(tuned.bundle).cost;
  const before = ctx.analysis.cost;
  times['total'] = Math.round((performance.now() - t0) / 100) / 10;
  return {
    kind: spec.kind,
    sample: ctx.name,
    macsCut: spec.macsCut,
    criterion: spec.criterion,
    seed: spec.seed,
    accBase: ctx.accBase,
    accPruned,
    accFinetuned,
    speedupTfjs: latency.tfjs.baseMs / latency.tfjs.prunedMs,
    speedupOnnx: latency.onnx.baseMs / latency.onnx.prunedMs,
    speedupTfjsMin: latency.tfjs.baseMinMs / latency.tfjs.prunedMinMs,
    speedupOnnxMin: latency.onnx.baseMinMs / latency.onnx.prunedMinMs,
    macsReduction: 1 - after.macs / before.macs,
    paramsReduction: 1 - after.params / before.params,
    macsSpeedup: before.macs / after.macs,
    macs: { before: before.macs, after: after.macs },
    params: { before: before.params, after: after.params },
    dropRatio: spec.kind === 'cut' ? spec.ratio : null,
    channels: describeChannels(ctx.analysis, plan),
    tfjs: latency.tfjs,
    onnx: latency.onnx,
    runtimes: latency.runtimes,
    budget,
    finetune: { epochs: tuned.summary.epochs, images: ctx.train.labels.length, seconds: Math.round(tuned.summary.seconds), imagesPerSecond: Math.round(tuned.summary.imagesPerSecond), backend: tuned.summary.backend },
    seconds: times,
    settings: ctx.settings,
    finishedAt: new Date().toISOString(),
  };
}
