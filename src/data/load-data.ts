// Resolves a --data path (image folder, train/test folders, IDX file or folder) into datasets.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../core/errors.ts';
import type { ModelBundle } from '../core/types.ts';
import { readModelClasses, requireFolderClassesFit, requireSplitsFit } from './class-check.ts';
import { splitDataset, type ImageDataset } from './dataset.ts';
import { findIdxFiles, isIdxPath, loadIdx } from './idx.ts';
import { isFolder, loadImageFolder, type ImageFolderOptions } from './image-folder.ts';
import { modelInputShape } from './normalization.ts';

/** The datasets found at a data path. */
export interface DataSplits {
  /** `train/` folder or IDX `train-*` files. */
  train?: ImageDataset;
  /** `test/`, `val/` or `validation/` folder, or IDX `t10k-*` / `test-*` files. */
  test?: ImageDataset;
  /** A plain image folder or a single IDX file (no split of its own). */
  all?: ImageDataset;
  /** How the path was read. */
  layout: 'train-test-folders' | 'image-folder' | 'idx-folder' | 'idx-file';
  /** True when every image folder came from the decoded-data cache. */
  fromCache: boolean;
}

/** Names accepted for the held-out folder next to `train/`. */
const HELD_OUT = ['test', 'val', 'validation'];

/** Give IDX splits the same class list (the larger label range). */
function unifyIdxClasses(a: ImageDataset | undefined, b: ImageDataset | undefined): void {
  if (!a || !b) return;
  const classes = a.classes.length >= b.classes.length ? a.classes : b.classes;
  a.classes = [...classes];
  b.classes = [...classes];
}

/**
 * Load the data a command names. A folder with `train/` and `test/` (or `val/`, `validation/`)
 * sub-folders gives both splits; any other folder is one image folder (one sub-folder per class);
 * a folder with `train-images-idx3-ubyte(.gz)` / `t10k-…` files, or one IDX images file, is IDX.
 * With `purpose: 'evaluation'`, only the held-out split is read when there is one.
 */
export async function loadData(path: string, options: ImageFolderOptions & { purpose?: 'training' | 'evaluation' } = {}): Promise<DataSplits> {
  const evaluation = options.purpose === 'evaluation';
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    fail('INVALID_DATA', { expected: 'an image folder or an IDX file', found: 'no such file or folder', where: path, hint: 'pass --data <folder with one sub-folder per class> or <train-images-idx3-ubyte.gz>' });
  }
  if (!isDir) {
    if (!isIdxPath(path)) {
      fail('INVALID_DATA', { expected: 'an image folder or an IDX images file (…-images-idx3-ubyte[.gz])', found: 'another file', where: path, hint: 'pass a folder with one sub-folder per class, or MNIST-style IDX files' });
    }
    return { all: await loadIdx(path), layout: 'idx-file', fromCache: false };
  }
  const idx = await findIdxFiles(path);
  if (idx.train || idx.test) {
    const train = idx.train && !(evaluation && idx.test) ? await loadIdx(idx.train) : undefined;
    const test = idx.test ? await loadIdx(idx.test) : undefined;
    unifyIdxClasses(train, test);
    return { ...(train ? { train } : {}), ...(test ? { test } : {}), layout: 'idx-folder', fromCache: false };
  }
  const heldOut = HELD_OUT.find((name) => existsSync(join(path, name)));
  if (existsSync(join(path, 'train')) && heldOut && (await isFolder(join(path, 'train'))) && (await isFolder(join(path, heldOut)))) {
    const test = await loadImageFolder(join(path, heldOut), options);
    if (evaluation) return { test: test.dataset, layout: 'train-test-folders', fromCache: test.fromCache };
    const train = await loadImageFolder(join(path, 'train'), options);
    return { train: train.dataset, test: test.dataset, layout: 'train-test-folders', fromCache: train.fromCache && test.fromCache };
  }
  const all = await loadImageFolder(path, options);
  return { all: all.dataset, layout: 'image-folder', fromCache: all.fromCache };
}

/** Training and validation data from the splits: train/test as given, else a seeded split of one set. */
export function trainingSplits(splits: DataSplits, validationFraction: number, seed: number): { train: ImageDataset; validation: ImageDataset } {
  if (splits.train && splits.test) return { train: splits.train, validation: splits.test };
  const one = splits.train ?? splits.all;
  if (!one) {
    fail('INVALID_DATA', { expected: 'training images', found: 'only a test split', where: splits.test?.source ?? 'data', hint: 'pass a folder that also holds train-images-idx3-ubyte(.gz), or an image folder' });
  }
  return splitDataset(one, validationFraction, seed);
}

/** The data to evaluate on: the test split when there is one, else everything. */
export function evaluationSplit(splits: DataSplits): ImageDataset {
  const data = splits.test ?? splits.all ?? splits.train;
  if (!data) fail('INVALID_DATA', { expected: 'images to evaluate on', found: 'none', where: 'data', hint: 'pass an image folder or IDX files' });
  return data;
}

/** Options of {@link loadDataForModel}. */
export interface ModelDataOptions {
  /** `evaluation` reads only the held-out split when there is one. */
  purpose?: 'training' | 'evaluation';
  /** Decoded-data cache folder, or false for none (default ~/.cache/edge-prune). */
  cacheDir?: string | false;
  logger?: ImageFolderOptions['logger'];
}

/**
 * Load data for a model: image folders are decoded at the model's input size and channel count,
 * and their class folders are checked against the model (its output units and the class names in
 * its metadata) before any image is decoded; IDX label ranges are checked once loaded.
 */
export async function loadDataForModel(bundle: ModelBundle, path: string, options: ModelDataOptions = {}): Promise<DataSplits> {
  const [h, w, c] = modelInputShape(bundle);
  if (c !== 1 && c !== 3) {
    fail('INVALID_MODEL', { expected: 'a model input with 1 or 3 channels', found: `${c} channels`, where: 'model input', hint: 'image data has 1 (grey) or 3 (RGB) channels' });
  }
  const model = readModelClasses(bundle);
  const splits = await loadData(path, { size: [h, w], channels: c, ...options, checkClasses: (found, dir) => requireFolderClassesFit(model, found, dir) });
  requireSplitsFit(model, splits);
  return splits;
}
