// A fine-tuning budget in minutes: the measured training speed chooses the epochs (or a subset for less than one) and the schedule.
import { fail } from '../core/errors.ts';
import type { ModelBundle } from '../core/types.ts';
import { fillBatch, STANDARD_AUGMENTATION, stepRandom } from '../data/batches.ts';
import { countImages, imageBytes, shuffledIndices, type ImageDataset } from '../data/dataset.ts';
import { DEFAULT_NORMALIZATION, normalizationTable, readNormalization } from '../data/normalization.ts';
import { createTrainer } from '../runtime/training.ts';

/** What a budget in minutes turned into. */
export interface BudgetChoice {
  /** Whole epochs of the training images (at least 1). */
  epochs: number;
  /** Fine-tune on a seeded subset of this many images (when the budget is below one epoch), else undefined. */
  subset?: number;
  /** Pruning steps: 1 = one-shot; more = gradual (when the budget holds at least 3 epochs). */
  steps: number;
  imagesPerSecond: number;
  /** One sentence saying what was chosen and why. */
  text: string;
}

/**
 * Images per second of training `bundle` (with distillation from `teacher`) here: `warmup` untimed
 * and `steps` timed SGD steps of `batch` augmented images. The weights are not kept.
 */
export async function measureImagesPerSecond(bundle: ModelBundle, data: ImageDataset, teacher: ModelBundle | undefined, options: { steps?: number; warmup?: number; batch?: number; backend?: string } = {}): Promise<number> {
  const batch = Math.min(options.batch ?? 64, countImages(data));
  const trainer = await createTrainer(bundle, { ...(teacher ? { teacher } : {}), ...(options.backend ? { backend: options.backend } : {}) });
  try {
    const lut = normalizationTable(readNormalization(bundle) ?? DEFAULT_NORMALIZATION, data.shape[2]);
    const inputs = new Float32Array(batch * imageBytes(data));
    const labels = new Int32Array(batch);
    const order = shuffledIndices(countImages(data), 5);
    const run = (k: number): void => {
      const indices = Int32Array.from({ length: batch }, (_, j) => order[(k * batch + j) % order.length] as number);
      fillBatch(data, indices, lut, inputs, STANDARD_AUGMENTATION, stepRandom(5, 0, k));
      for (let j = 0; j < batch; j++) labels[j] = data.labels[indices[j] as number] as number;
      trainer.step(inputs, labels, 0);
    };
    const warmup = options.warmup ?? 3;
    const steps = options.steps ?? 12;
    for (let k = 0; k < warmup; k++) run(k);
    const t0 = performance.now();
    for (let k = 0; k < steps; k++) run(warmup + k);
    return (steps * batch) / ((performance.now() - t0) / 1000);
  } finally {
    trainer.dispose();
  }
}

/**
 * Turn `minutes` of fine-tuning at `imagesPerSecond` into epochs of `trainImages` images: whole
 * epochs when the budget holds one or more (the rest of the minutes unused), else one epoch on the
 * subset it holds (at least one batch of 64). Gradual pruning (3 steps) when it holds ≥ 3 epochs and
 * `schedule` was not set by the user, since the short fine-tunes need room; one-shot otherwise.
 */
export function chooseBudget(minutes: number, imagesPerSecond: number, trainImages: number, userSteps?: number): BudgetChoice {
  if (!(minutes > 0) || !(imagesPerSecond > 0) || trainImages < 1) {
    fail('INVALID_ARGUMENT', { expected: 'a positive number of minutes and a measurable training speed', found: `${minutes} min at ${imagesPerSecond} images/s`, where: '--finetune-minutes', hint: 'e.g. --finetune-minutes 30' });
  }
  const images = minutes * 60 * imagesPerSecond;
  const whole = Math.floor(images / trainImages);
  const steps = userSteps ?? (whole >= 3 ? 3 : 1);
  const how = `${minutes} min at the measured ${imagesPerSecond.toFixed(0)} images/s ≈ ${Math.round(images)} images`;
  const schedule = steps > 1 ? `gradual pruning in ${steps} steps` : 'one-shot pruning';
  if (whole >= 1) return { epochs: whole, steps, imagesPerSecond, text: `${how}: ${whole} epoch(s) of ${trainImages} images, ${schedule}${userSteps === undefined ? (steps > 1 ? ' (the budget holds ≥ 3 epochs)' : ' (the budget holds < 3 epochs)') : ''}.` };
  const subset = Math.max(64, Math.min(trainImages, Math.floor(images)));
  return { epochs: 1, subset, steps, imagesPerSecond, text: `${how}: less than one epoch, so 1 epoch on a seeded subset of ${subset} of the ${trainImages} images, ${schedule}.` };
}
