// The fine-tune loop: epochs of seeded, augmented SGD steps with cosine decay, validation and checkpoints.
import { fail } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { hashString } from '../core/random.ts';
import type { ModelBundle } from '../core/types.ts';
import { ensureTrainingBackend } from '../runtime/train-backend.ts';
import { evaluateAccuracy, requireDataFitsModel } from '../runtime/train-eval.ts';
import { createTrainer, type Trainer } from '../runtime/training.ts';
import { requireTeacherFits } from '../data/class-check.ts';
import { cosineLearningRate, fillBatch, STANDARD_AUGMENTATION, stepRandom, type Augmentation } from '../data/batches.ts';
import { readCheckpoint, writeCheckpoint, type EpochRecord, type TrainingState } from './checkpoint.ts';
import { countImages, imageBytes, requireCompatible, shuffledIndices, type ImageDataset } from '../data/dataset.ts';
import { DEFAULT_NORMALIZATION, normalizationTable, readNormalization, type Normalization } from '../data/normalization.ts';
import { formatDuration } from './progress.ts';
import { computeRunKey } from './run-key.ts';

/** What to fine-tune on and how. */
export interface FinetuneOptions {
  train: ImageDataset;
  /** Held-out data: accuracy before training and after every epoch. */
  validation?: ImageDataset;
  /** Distill from this model (the unpruned one); without it, cross-entropy only. */
  teacher?: ModelBundle;
  epochs: number;
  /** Peak learning rate (default 0.01), decayed to 0 by a cosine over all steps. */
  learningRate?: number;
  /** Epochs of linear warm-up before the cosine (default 0). */
  warmupEpochs?: number;
  /** Images per step (default 64). */
  batch?: number;
  /** Seed of the shuffles and augmentation (default 0). */
  seed?: number;
  momentum?: number;
  weightDecay?: number;
  temperature?: number;
  distillWeight?: number;
  /** Training augmentation (default pad 4 + crop, flip); `false` for none. */
  augment?: Augmentation | false;
  /** Input normalization (default: the model's metadata, else pixels / 255). */
  normalization?: Normalization;
  /** Folder for checkpoints (written after every epoch); none when absent. */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` if there is one. */
  resume?: boolean;
  /** Also checkpoint inside an epoch when this many minutes passed since the last one. */
  checkpointMinutes?: number;
  /** Stop (interrupted, resumable) once this many epochs are done, checkpoint written; the schedule still spans `epochs`. */
  stopAfterEpochs?: number;
  /** Stop after the current step when aborted; a checkpoint is written first (when enabled). */
  signal?: AbortSignal;
  backend?: string;
  logger?: Logger;
}

/** The outcome figures of a fine-tune run (what `--json` prints). */
export interface FinetuneSummary {
  accuracyBefore: number | null;
  accuracyAfter: number | null;
  epochs: number;
  seconds: number;
  imagesPerSecond: number;
  backend: string;
  history: EpochRecord[];
  /** True when the run stopped early on the abort signal. */
  interrupted: boolean;
}

/** Validation accuracy of a bundle, or null without (labelled) validation data. */
async function validate(bundle: ModelBundle, options: FinetuneOptions, normalization: Normalization): Promise<number | null> {
  if (!options.validation || options.validation.unlabelled) return null;
  return (await evaluateAccuracy(bundle, options.validation, { normalization, ...(options.backend ? { backend: options.backend } : {}) })).accuracy;
}

/**
 * Fine-tune `bundle` on `options.train`: knowledge distillation from `options.teacher` plus
 * cross-entropy (distillation alone when the images are unlabelled), SGD with momentum and weight decay, cosine learning-rate decay, BN in training
 * mode, seeded shuffles and augmentation. Checkpoints after every epoch when `checkpointDir` is set;
 * with `resume`, continues from the last checkpoint (the same seed gives the same result as an
 * uninterrupted run). Returns the fine-tuned bundle and the summary.
 */
export async function finetune(bundle: ModelBundle, options: FinetuneOptions): Promise<{ bundle: ModelBundle; summary: FinetuneSummary }> {
  const logger = options.logger ?? silentLogger;
  const { train } = options;
  if (options.validation) requireCompatible(train, options.validation);
  requireDataFitsModel(bundle, train);
  if (options.teacher) requireTeacherFits(bundle, options.teacher);
  if (train.unlabelled && !options.teacher) {
    fail('INVALID_DATA', { expected: 'labelled images, or a teacher to distill from', found: 'a flat folder of unlabelled images and no teacher', where: train.source, hint: 'pass --teacher <the unpruned model.json> (distillation needs no labels), or arrange the images in class sub-folders' });
  }
  // Without labels, the loss is distillation alone: the teacher's soft labels are the only target.
  if (train.unlabelled) options = { ...options, distillWeight: 1 };
  const batch = options.batch ?? 64;
  const n = countImages(train);
  if (!(Number.isInteger(options.epochs) && options.epochs >= 1) || !(Number.isInteger(batch) && batch >= 1)) {
    fail('INVALID_ARGUMENT', { expected: 'whole numbers epochs ≥ 1 and batch ≥ 1', found: `epochs ${options.epochs}, batch ${batch}`, where: 'finetune options', hint: 'e.g. --epochs 5 --batch 64' });
  }
  if (n < batch) fail('INVALID_DATA', { expected: `at least one batch (${batch} images)`, found: `${n} training images`, where: train.source, hint: 'add images or lower --batch' });
  const normalization = options.normalization ?? readNormalization(bundle) ?? DEFAULT_NORMALIZATION;
  const lut = normalizationTable(normalization, train.shape[2]);
  const augment = options.augment === undefined ? STANDARD_AUGMENTATION : options.augment || undefined;
  const seed = options.seed ?? 0;
  const steps = Math.floor(n / batch);
  const total = steps * options.epochs;
  const learningRate = options.learningRate ?? 0.01;
  const warmup = Math.round((options.warmupEpochs ?? 0) * steps);
  const settings = { epochs: options.epochs, learningRate, warmup, batch, seed, momentum: options.momentum, weightDecay: options.weightDecay, temperature: options.temperature, distillWeight: options.distillWeight, augment: augment ?? null, normalization };
  const runKey = computeRunKey({ bundle, train, settings, ...(options.teacher ? { teacher: options.teacher } : {}), ...(options.validation ? { validation: options.validation } : {}) });

  await ensureTrainingBackend(options.backend, logger);
  const resumed = options.resume && options.checkpointDir ? await readCheckpoint(options.checkpointDir) : undefined;
  if (resumed && resumed.state.runKey !== runKey) {
    fail('INVALID_ARGUMENT', { expected: 'the same model, data and settings as the checkpointed run', found: 'different ones', where: options.checkpointDir as string, hint: 'resume with the original options, or drop --resume (or use a new --out) to start over' });
  }
  if (resumed) logger.info(`resuming from epoch ${resumed.state.epoch + 1}, step ${resumed.state.step} (${options.checkpointDir})`);
  const start = resumed?.bundle ?? bundle;
  const state: TrainingState = resumed?.state ?? { version: 1, runKey, epoch: 0, step: 0, lossSum: 0, seconds: 0, accuracyBefore: null, history: [], optimizer: [] };
  if (!resumed) {
    state.accuracyBefore = await validate(bundle, options, normalization);
    if (state.accuracyBefore !== null) logger.info(`validation accuracy before: ${(state.accuracyBefore * 100).toFixed(2)}%`);
  }
  const trainer = await createTrainer(start, { ...pickTrainerOptions(options), ...(options.teacher ? { teacher: options.teacher } : {}) });
  let lastCheckpoint = Date.now();
  let sessionImages = 0;
  let sessionSeconds = 0;
  const save = async (): Promise<void> => {
    if (!options.checkpointDir) return;
    await writeCheckpoint(options.checkpointDir, { state, bundle: trainer.snapshot(), optimizer: trainer.optimizerState() });
    lastCheckpoint = Date.now();
  };
  try {
    if (resumed) trainer.loadOptimizerState(resumed.optimizer);
    const inputs = new Float32Array(batch * imageBytes(train));
    const labels = new Int32Array(batch);
    while (state.epoch < options.epochs) {
      const epoch = state.epoch;
      const order = shuffledIndices(n, hashString(`${seed}:order:${epoch}`));
      const epochStart = performance.now();
      for (; state.step < steps; ) {
        await new Promise((resolve) => setImmediate(resolve)); // let signals and timers run between steps
        if (options.signal?.aborted) {
          await save();
          return { bundle: trainer.snapshot(), summary: summarize(state, trainer, sessionImages, sessionSeconds, true) };
        }
        const t0 = performance.now();
        const indices = order.subarray(state.step * batch, (state.step + 1) * batch);
        fillBatch(train, indices, lut, inputs, augment, stepRandom(seed, epoch, state.step));
        for (let k = 0; k < batch; k++) labels[k] = train.labels[indices[k] as number] as number;
        const loss = trainer.step(inputs, labels, cosineLearningRate(learningRate, epoch * steps + state.step, total, warmup));
        if (!Number.isFinite(loss)) {
          fail('INVALID_ARGUMENT', { expected: 'a finite training loss', found: String(loss), where: `epoch ${epoch + 1}, step ${state.step + 1}`, hint: 'training diverged: lower --lr' });
        }
        const dt = (performance.now() - t0) / 1000;
        state.step += 1;
        state.lossSum += loss;
        state.seconds += dt;
        sessionSeconds += dt;
        sessionImages += batch;
        const rate = sessionImages / sessionSeconds;
        const left = (total - (epoch * steps + state.step)) * batch / rate;
        logger.progress({ task: `epoch ${epoch + 1}/${options.epochs}`, done: state.step, total: steps, detail: `loss ${(state.lossSum / state.step).toFixed(4)} · ${rate.toFixed(0)} img/s · ETA ${formatDuration(left)}` });
        if (options.checkpointMinutes && Date.now() - lastCheckpoint > options.checkpointMinutes * 60_000 && state.step < steps) await save();
      }
      const snapshot = trainer.snapshot();
      const accuracy = await validate(snapshot, options, normalization);
      const record: EpochRecord = { epoch: epoch + 1, loss: state.lossSum / steps, validationAccuracy: accuracy, seconds: (performance.now() - epochStart) / 1000, imagesPerSecond: sessionImages / sessionSeconds };
      state.history.push(record);
      state.epoch += 1;
      state.step = 0;
      state.lossSum = 0;
      logger.info(`epoch ${epoch + 1}/${options.epochs}: loss ${record.loss.toFixed(4)}${accuracy === null ? '' : `, validation accuracy ${(accuracy * 100).toFixed(2)}% (${countImages(options.validation as ImageDataset)} images)`}, ${record.seconds.toFixed(0)} s`);
      await save();
      if (options.stopAfterEpochs !== undefined && state.epoch >= options.stopAfterEpochs && state.epoch < options.epochs) {
        return { bundle: trainer.snapshot(), summary: summarize(state, trainer, sessionImages, sessionSeconds, true) };
      }
    }
    return { bundle: trainer.snapshot(), summary: summarize(state, trainer, sessionImages, sessionSeconds, false) };
  } finally {
    trainer.dispose();
  }
}

/** Trainer settings from the fine-tune options. */
function pickTrainerOptions(o: FinetuneOptions): Parameters<typeof createTrainer>[1] {
  const out: NonNullable<Parameters<typeof createTrainer>[1]> = {};
  if (o.momentum !== undefined) out.momentum = o.momentum;
  if (o.weightDecay !== undefined) out.weightDecay = o.weightDecay;
  if (o.temperature !== undefined) out.temperature = o.temperature;
  if (o.distillWeight !== undefined) out.distillWeight = o.distillWeight;
  if (o.backend !== undefined) out.backend = o.backend;
  return out;
}

/** The summary of the run so far. */
function summarize(state: TrainingState, trainer: Trainer, images: number, seconds: number, interrupted: boolean): FinetuneSummary {
  const last = state.history[state.history.length - 1];
  return {
    accuracyBefore: state.accuracyBefore,
    accuracyAfter: last ? last.validationAccuracy : state.accuracyBefore,
    epochs: state.history.length,
    seconds: state.seconds,
    imagesPerSecond: seconds > 0 ? images / seconds : (last?.imagesPerSecond ?? 0),
    backend: trainer.backend,
    history: state.history,
    interrupted,
  };
}
