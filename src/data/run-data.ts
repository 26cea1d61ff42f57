// Data for a pipeline run: train/held-out splits sized for search, fine-tuning and the accuracy figures.
import type { ModelBundle } from '../core/types.ts';
import type { Logger } from '../core/logger.ts';
import { fail } from '../core/errors.ts';
import type { ImageDataset } from './dataset.ts';

/** The datasets one run uses. */
export interface RunData {
  /** Fine-tuning images. */
  train: ImageDataset;
  /** Held-out images for the before/after accuracy. */
  test: ImageDataset;
  /** True when the images carry no labels (a flat folder): no accuracy, agreement and distillation only. */
  unlabelled: boolean;
  /** Small seeded subsets for the search: BN re-estimation and candidate accuracy (taken from train). */
  searchBn: ImageDataset;
  searchEval: ImageDataset;
  source: string;
}

/**
 * Load `path` for `bundle`: `train/` + `test/` folders (or IDX pairs) are used as given; a single
 * folder (class sub-folders, or a flat folder of unlabelled images) is split 90/10 with the seed. The search's subsets come from the training split only, so
 * the reported test accuracy never guides a decision.
 */
export async function loadRunData(bundle: ModelBundle, path: string, seed: number, searchImages: number, logger?: Logger): Promise<RunData> {
  const { loadData } = await import('./load-data.ts');
  const { modelInputShape } = await import('./normalization.ts');
  const { readModelClasses, requireFolderClassesFit, requireSplitsFit } = await import('./class-check.ts');
  const { sampleDataset, splitDataset } = await import('./dataset.ts');
  const [h, w, c] = modelInputShape(bundle);
  if (c !== 1 && c !== 3) fail('INVALID_MODEL', { expected: 'a model input with 1 or 3 channels', found: `${c}`, where: 'model input', hint: 'image data has 1 or 3 channels' });
  const model = readModelClasses(bundle);
  const checkClasses = (found: string[], dir: string): void => requireFolderClassesFit(model, found, dir);
  const splits = await loadData(path, { size: [h, w], channels: c, purpose: 'training', checkClasses, ...(logger ? { logger } : {}) });
  requireSplitsFit(model, splits);
  let train = splits.train;
  let test = splits.test;
  if (!train || !test) {
    const all = splits.all ?? train ?? test;
    if (!all) fail('INVALID_DATA', { expected: 'images to train and test on', found: 'none', where: path, hint: 'pass an image folder with one sub-folder per class, or a flat folder of unlabelled images' });
    const parts = splitDataset(all, 0.1, seed);
    train = parts.train;
    test = parts.validation;
  }
  const pool = splitDataset(train, 0.5, seed + 1);
  return {
    train,
    test,
    searchBn: sampleDataset(pool.train, searchImages, seed + 2),
    searchEval: sampleDataset(pool.validation, searchImages, seed + 3),
    source: path,
    unlabelled: train.unlabelled === true,
  };
}
