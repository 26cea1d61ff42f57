// The whole flow, in order: load → analyze → score → search → prune → reconstruct → finetune → export → verify → report.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ModelBundle } from './core/types.ts';
import { silentLogger, type Logger } from './core/logger.ts';
import { writeFileAtomic, writeJsonAtomic } from './core/atomic-write.ts';
import { loadModel, type LoadModelOptions } from './import/load-model.ts';
import { writeBundle } from './bundle/write-bundle.ts';
import { modelBytesOnDisk } from './bundle/disk-size.ts';
import type { WeightsChoice } from './bundle/encoding.ts';
import { analyzeModel } from './analyze/analyze-model.ts';
import { applyPlan } from './prune/apply-plan.ts';
import { loadTarget } from './targets/load-targets.ts';
import { planSearch, type SearchMode } from './search/plan-search.ts';
import { describeAttribution, metByText } from './search/encoding-choice.ts';
import { roundTripWeights } from './bundle/quantize.ts';
import { resolveBudget, type Budget } from './targets/budget.ts';
import { scoreModel } from './score/score-model.ts';
import { buildReport } from './report/build-report.ts';
import { renderHtml } from './report/render-html.ts';
import type { Report } from './report/report-types.ts';
import { PACKAGE_ROOT } from './core/package-root.ts';
import { sampleDefaults } from './pipeline-sample.ts';
import { isDensePrediction, trackOutputFidelity } from './pipeline-dense.ts';
import { checkBudgetSanity, requireAboveFloor, requireReachable } from './pipeline-checks.ts';
import { predictOnTarget } from './latency/target-predictor.ts';
import type { AgreementFigures } from './report/report-types.ts';
import type { JobQueue, QueueSettings } from './queue/job-queue.ts';
import { gradualPrune, parseSchedule } from './pipeline-schedule.ts';
import { decideInt8, type QuantizeChoice } from './export/int8-choice.ts';

/** What `edge-prune [model.json] --target <t>` takes. */
export interface PipelineOptions {
  /** model.json to prune; the bundled VGG-style sample when absent. */
  model?: string;
  target: string;
  /** Budget overrides (else the sample's or the target's defaults). */
  budget?: Budget & { maxAccuracyDrop?: number };
  /** Image folder / IDX data; the sample's bundled data when the model is the sample. */
  data?: string;
  /** Refit the pruned layers to the unpruned model's outputs before fine-tuning (default: on when data is given). */
  reconstruct?: boolean;
  /** Fine-tuning epochs (default 2; the bundled sample's own default from samples/vgg/budgets.json). */
  epochs?: number;
  /** A fine-tuning budget in minutes instead of epochs: the measured images/s choose epochs and schedule. */
  finetuneMinutes?: number;
  /** `oneshot` (default) or `iterative[:steps]`: prune in steps with short distillation fine-tunes between them. */
  schedule?: string;
  /** Run folder (default runs/<target>-<time>). */
  outDir?: string;
  criterion?: string;
  search?: SearchMode;
  /** How to measure: the target's default method when absent; `none` skips measuring. */
  method?: 'local' | 'emulated' | 'device' | 'none';
  seed?: number;
  backend?: string;
  lockUnknown?: boolean;
  /** Images in each search subset (BN re-estimation, candidate accuracy). Default 512. */
  searchImages?: number;
  /** How to import a graph model (`outputs`, `inputShape`); ignored by other formats. */
  importOptions?: LoadModelOptions;
  /** Continue an interrupted run (search history and fine-tuning checkpoints). */
  resume?: boolean;
  /** The fidelity floor without labelled data (default: 0.9 top-1 agreement on images, 0.9 logit cosine on seeded inputs). */
  minAgreement?: number;
  /** Search past the fidelity floor (the model may be destroyed; said loudly). */
  force?: boolean;
  /** Weight storage of the written model and exports (default: the source's encoding). */
  weights?: WeightsChoice;
  /**
   * `int8`: also write the int8 QDQ ONNX (calibrated on the train split, judged on held-out images) beside
   * the float32 one; `none`: do not. Default: int8 when the target's runtime executes int8 and data are given.
   */
  quantize?: QuantizeChoice;
  /** Fan candidate evaluations and the fine-tune out to queue workers (`edge-prune worker`); in-process when absent. */
  queue?: QueueSettings;
  logger?: Logger;
}

/** Read the package version for the report. */
async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** Run the whole flow and write the run folder; returns the report (what `--json` prints). */
export async function runPipeline(options: PipelineOptions): Promise<Report> {
  if (!options.queue) return runFlow(options);
  const { openJobQueue } = await import('./queue/job-queue.ts');
  const jobs = await openJobQueue(options.queue, options.logger ?? silentLogger);
  try {
    return await runFlow(options, jobs);
  } finally {
    await jobs.close();
  }
}

/** The flow itself; with `jobs`, candidate evaluations and the fine-tune run on the queue's workers. */
async function runFlow(options: PipelineOptions, jobs?: JobQueue): Promise<Report> {
  const logger = options.logger ?? silentLogger;
  const seed = options.seed ?? 0;
  const timings: { stage: string; seconds: number }[] = [];
  const notes: string[] = [];
  const stage = async <T>(name: string, index: number, run: () => Promise<T>): Promise<T> => {
    logger.info(`[${index}/11] ${name}`);
    const t0 = performance.now();
    const out = await run();
    timings.push({ stage: name, seconds: (performance.now() - t0) / 1000 });
    return out;
  };
  const sample = await sampleDefaults(options.model, options.target);
  const modelPath = resolve(options.model ?? sample.model);
  const dataPath = options.data ?? (options.model ? undefined : sample.data);
  const target = loadTarget(options.target);
  // An explicit --quantize int8 the target or the data cannot honour fails here, before any work.
  decideInt8(target.target, { ...(options.quantize ? { requested: options.quantize } : {}), hasData: dataPath !== undefined });
  const budget = resolveBudget(target.target.budget, sample.budget, options.budget);
  const epochs = options.epochs ?? sample.epochs ?? 2;
  if (sample.note) notes.push(sample.note);
  const outDir = resolve(options.outDir ?? join('runs', `${target.target.name}-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`));

  const bundle = await stage('load', 1, () => loadModel(modelPath, options.importOptions ?? {}));
  const before = await stage('analyze', 2, async () => analyzeModel(bundle, { lockUnknown: options.lockUnknown === true }));
  const data = dataPath ? await stage('load data', 3, async () => (await import('./data/run-data.ts')).loadRunData(bundle, dataPath, seed, options.searchImages ?? 512, logger)) : undefined;
  // Detectors and segmenters (several outputs, or maps): per-output fidelity on raw outputs, never labels.
  const dense = isDensePrediction(before.graph);
  const labelled = data !== undefined && !data.unlabelled && !dense;
  const denseFidelity = dense && data ? trackOutputFidelity(bundle, data) : undefined;
  if (!data) notes.push('No data was given: the search compared candidates by the cosine of their logits with the unpruned model\'s on seeded noise inputs, fine-tuning was skipped, and accuracy was NOT checked.');
  if (data && !labelled) notes.push(`The images in ${data.source} are unlabelled: the search compared candidates by ${dense ? 'per-output fidelity (relative squared error of every raw output)' : 'top-1 agreement'} with the unpruned model, fine-tuning distilled the unpruned model's ${dense ? 'raw outputs' : 'soft labels'} alone, and accuracy was NOT checked.`);
  const accuracyOf = async (b: ModelBundle): Promise<number | null> => {
    if (!data || !labelled) return null;
    const { evaluateAccuracy } = await import('./runtime/train-eval.ts');
    return (await evaluateAccuracy(b, data.test, { ...(options.backend ? { backend: options.backend } : {}) })).accuracy;
  };
  const accuracyBefore = await accuracyOf(bundle);

  const criterion = options.criterion ?? 'fscl';
  const scores = await stage('score', 4, async () => scoreModel(criterion, { bundle, graph: before.graph, groups: before.groups, seed }));
  const sanity = checkBudgetSanity(predictOnTarget(before.graph, target, budget), budget, target.target.name);
  if (sanity.warning) {
    logger.warn(sanity.warning);
    notes.push(`Budget sanity: ${sanity.warning}`);
  }
  if (options.force) {
    logger.warn('--force: the search ignores the fidelity floor; the delivered model may no longer do what the original did');
    notes.push('FORCED: --force let the search go past the fidelity floor; the delivered model may be destroyed.');
  }
  if (jobs) notes.push(`Candidate evaluations${data && epochs > 0 ? ' and the fine-tune' : ''} ran on the workers of the queue ${jobs.shown}.`);
  const search = await stage('search', 5, async () => {
    // Several raw outputs (detectors, segmenters) are compared in-process: queue jobs know accuracy, agreement and fidelity.
    const queued = jobs && options.queue && !dense ? jobs : undefined;
    const quality = data && !queued ? await import('./runtime/candidate-accuracy.ts') : undefined;
    const evaluate = data && quality ? (labelled ? quality.candidateAccuracy(data, seed) : dense ? await (await import('./runtime/output-fidelity.ts')).candidateOutputFidelity(data, bundle, seed) : await quality.candidateAgreement(data, bundle, seed)) : undefined;
    const evaluator = queued && options.queue ? await (await import('./queue/queue-evaluator.ts')).queueEvaluator(queued, options.queue.store, bundle, data ? { measure: labelled ? 'accuracy' : 'agreement', searchBn: data.searchBn, searchEval: data.searchEval } : { measure: 'fidelity' }, { seed, lockUnknown: options.lockUnknown === true }) : undefined;
    return planSearch({
      bundle, analysis: before, target, budget, criterion, scores, mode: options.search ?? 'netadapt', seed, outDir, logger, ...(options.weights ? { weights: options.weights } : {}),
      ...(evaluate ? { evaluate } : {}), ...(evaluator ? { evaluator, ...(labelled ? { measure: 'accuracy' as const } : {}) } : {}), ...(options.resume ? { resume: true } : {}),
      ...(data && !labelled ? { measure: dense ? ('output fidelity' as const) : ('top-1 agreement' as const), measuredOn: `${data.searchEval.labels.length} held-out images of ${data.source}` } : {}),
      ...(options.minAgreement !== undefined ? { minAgreement: options.minAgreement } : {}), ...(options.force ? { force: true } : {}),
    });
  });
  requireReachable(search, target.target.name);
  requireAboveFloor(search, { hasImages: data !== undefined, labelled, target: target.target.name, planPath: join(outDir, 'plan.json') });
  if (!search.met) notes.push(`The search could not meet every budget: ${search.reason ?? 'unknown reason'}. The best plan found was applied.`);

  const raw = await stage('prune', 6, async () => applyPlan(bundle, before.groups, search.plan));
  let pruned = raw;
  if (data) {
    const { reestimateBatchNorm } = await import('./runtime/train-bn.ts');
    pruned = await reestimateBatchNorm(raw, data.train, { seed });
  }
  const accuracyPruned = await accuracyOf(pruned);
  let accuracyReconstructed: number | null = null;
  if (data && options.reconstruct !== false) {
    const r = await stage('reconstruct', 7, async () => (await import('./reconstruct/reconstruct.ts')).reconstruct(bundle, raw, before.groups, search.plan, data.train, { seed, logger, ...(options.backend ? { backend: options.backend } : {}) }));
    accuracyReconstructed = await accuracyOf(r.bundle);
    const better = accuracyReconstructed === null || accuracyPruned === null || accuracyReconstructed >= accuracyPruned;
    if (better) pruned = r.bundle;
    notes.push(`Reconstruction refitted ${r.layers.length} layer(s) to the unpruned model's outputs on ${r.images} images in ${r.seconds.toFixed(0)} s${accuracyReconstructed !== null && accuracyPruned !== null ? `: accuracy right after pruning ${(accuracyPruned * 100).toFixed(1)}% with BatchNorm re-estimation alone, ${(accuracyReconstructed * 100).toFixed(1)}% reconstructed${better ? '' : ' (lower, so fine-tuning started from the BatchNorm-re-estimated model)'}` : ''}.`);
  }
  let reference: import('./runtime/agreement.ts').ReferenceOutputs | undefined;
  /** Top-1 agreement with the unpruned model on the held-out images, when they carry no labels. */
  const agreementOf = async (b: ModelBundle): Promise<number | null> => {
    if (!data || labelled) return null;
    if (denseFidelity) return denseFidelity.measure(b, b === pruned ? 'before' : 'after');
    const { measureAgreement, predictImages } = await import('./runtime/agreement.ts');
    reference ??= await predictImages(bundle, data.test);
    return (await measureAgreement(b, reference, data.test)).top1;
  };
  const agreementBefore = await agreementOf(pruned);
  const tuned = await stage('finetune', 8, async () => {
    if (!data || epochs <= 0) return pruned;
    const { finetune } = await import('./finetune/finetune.ts');
    const backend = options.backend ? { backend: options.backend } : {};
    const requested = options.schedule ? parseSchedule(options.schedule) : undefined;
    let [runEpochs, train, steps] = [epochs, data.train, requested?.kind === 'iterative' ? requested.steps : 1];
    if (options.finetuneMinutes !== undefined) {
      const { chooseBudget, measureImagesPerSecond } = await import('./finetune/budget.ts');
      const choice = chooseBudget(options.finetuneMinutes, await measureImagesPerSecond(pruned, data.train, bundle, backend), data.train.labels.length, requested ? steps : undefined);
      logger.info(`--finetune-minutes: ${choice.text}`);
      notes.push(`Fine-tuning budget: ${choice.text}`);
      [runEpochs, steps] = [choice.epochs, choice.steps];
      if (choice.subset) train = (await import('./data/dataset.ts')).sampleDataset(data.train, choice.subset, seed);
    }
    const common = { train, validation: data.test, teacher: bundle, epochs: runEpochs, seed, logger, ...(options.resume ? { resume: true } : {}), ...backend };
    const result = steps > 1
      ? await gradualPrune({ ...common, original: bundle, groups: before.groups, plan: search.plan, scores, steps, checkpointDir: join(outDir, 'schedule'), reconstruct: options.reconstruct !== false })
      : jobs && options.queue
        ? await (await import('./queue/queue-evaluator.ts')).queueFinetune(jobs, options.queue.store, pruned, { train, validation: data.test, teacher: bundle, epochs: runEpochs, seed, ...backend })
        : await finetune(pruned, { ...common, checkpointDir: join(outDir, 'checkpoints') });
    notes.push(`${steps > 1 ? `Pruned gradually in ${steps} steps (reconstruction and a short distillation fine-tune after each), then fine-tuned` : 'Fine-tuned'} ${result.summary.epochs} epoch(s) on ${train === data.train ? data.source : `${train.labels.length} images of ${data.source}`}${labelled ? '' : ' by distillation alone (no labels)'} with the ${result.summary.backend} backend at ${result.summary.imagesPerSecond.toFixed(0)} images/s.`);
    return result.bundle;
  });
  // The plan's encoding is what gets written: a lossy one (float16/uint8 weights) is measured as written.
  const planned = search.plan.encoding;
  const written = planned === 'float16' || planned === 'uint8' ? planned : undefined;
  const accuracyAfter = await accuracyOf(written ? roundTripWeights(tuned, written) : tuned);
  const lastQuality = search.rounds[search.rounds.length - 1]?.quality ?? 1;
  const agreement: AgreementFigures | null = labelled ? null : data
    ? { measure: dense ? 'output fidelity' : 'top-1 agreement', on: `${data.test.labels.length} held-out images of ${data.source}`, n: data.test.labels.length, beforeFinetune: agreementBefore, after: await agreementOf(tuned) }
    : { measure: search.measure, on: 'seeded noise inputs', n: null, beforeFinetune: lastQuality, after: lastQuality };
  const weightsChoice = options.weights ?? written;
  const weights = weightsChoice ? { weights: weightsChoice } : {};
  for (const line of search.encoding.metBy.map((a) => describeAttribution(a, search.encoding.chosen))) notes.push(`Budget: ${line}.`);
  const modelJson = await writeBundle(tuned, join(outDir, 'model'), weights);

  const after = analyzeModel(tuned, { lockUnknown: options.lockUnknown === true });
  const int8 = decideInt8(target.target, { ...(options.quantize ? { requested: options.quantize } : {}), hasData: data !== undefined, dense });
  if (planned === 'int8' && !int8.write) notes.push(`The plan chose int8 compute but no int8 ONNX was written (${int8.reason}): export it with \`edge-prune export --quantize int8 --data <images>\`.`);
  let calibrationSource: string | undefined;
  const exported = await stage('export', 9, async () => {
    const { exportBundle } = await import('./export/export-bundle.ts');
    const images = data ? (await import('./export/parity-images.ts')).parityImagesOf(tuned, data.test, 256, `${data.source} (held out)`) : undefined;
    // int8 activations are calibrated on the train split; the held-out images judge it.
    const calibration = int8.write && data ? await (await import('./export/int8-choice.ts')).runCalibration(tuned, data.train, data.source, seed) : undefined;
    calibrationSource = calibration?.described;
    return exportBundle(tuned, { formats: ['tfjs', 'tfjs-graph', 'onnx'], outDir: join(outDir, 'export'), seed, logger, ...weights, ...(images ? { images } : {}), ...calibration?.options });
  });
  const { int8Notes, quantizedFigures } = await import('./report/quantized.ts');
  for (const line of int8Notes(int8, exported)) {
    if (line.warn) logger.warn(line.warn);
    notes.push(line.note);
  }
  const int8Entry = exported.formats.find((f) => f.format === 'onnx' && f.precision === 'int8')?.entry;
  const size = await (await import('./export/export-sizes.ts')).exportSizeFigures(exported, modelPath, bundle, { before: before.cost.params, after: after.cost.params },
    [{ what: 'model', path: modelJson, bytes: await modelBytesOnDisk(modelJson), encoding: exported.encoding.written }]);
  for (const w of size.warnings) {
    logger.warn(w);
    notes.push(`Size: ${w}`);
  }

  const verified = await stage('verify', 10, async () => {
    const { verifyStage } = await import('./pipeline-verify.ts');
    return verifyStage(exported, { target, method: options.method ?? target.target.measurement.default, graph: after.graph, budgetMs: budget.latencyMs, ...(int8Entry ? { int8Entry } : {}), logger });
  });
  notes.push(...verified.notes);
  const { measured, int8: int8Measured } = verified;

  return stage('report', 11, async () => {
    const report = buildReport({
      model: modelPath, target: target.target.name, runtime: target.target.runtime, profile: target.profile.name, criterion,
      before, after,
      predictedBefore: search.predictions.before.latency,
      predictedAfter: search.predictions.after.latency,
      resourcesBefore: search.predictions.before.resources, resourcesAfter: search.predictions.after.resources,
      deployed: search.predictions.before.deployed, layersBeforeMs: search.predictions.before.layersLatencyMs, agreement,
      budget,
      rounds: search.rounds,
      accuracy: { before: accuracyBefore, pruned: accuracyPruned, reconstructed: accuracyReconstructed, after: accuracyAfter, data: data?.source ?? null, n: data ? data.test.labels.length : null },
      measured,
      exports: exported.formats.map((f) => ({ format: f.format, path: join(outDir, 'export', f.entry), bytes: f.totalBytes })), size,
      metBy: Object.fromEntries(search.encoding.metBy.map((a) => [a.budget, metByText(a, search.encoding.chosen)])),
      outDir, notes, timings, version: await packageVersion(),
    });
    report.quantized = quantizedFigures(exported, { ...(int8.write ? {} : { skipped: int8.reason }), ...(calibrationSource ? { calibration: calibrationSource } : {}), ...(int8Measured ? { measured: int8Measured } : {}) });
    if (denseFidelity) {
      report.outputFidelity = denseFidelity.figures();
      report.notes.push(denseFidelity.note());
    }
    await writeJsonAtomic(join(outDir, 'report.json'), report);
    await writeFileAtomic(join(outDir, 'report.html'), renderHtml(report));
    return report;
  });
}
