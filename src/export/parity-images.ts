// Data images for export parity and int8 calibration: the held-out split of a folder, normalized as the model expects.
import type { ModelBundle } from '../core/types.ts';
import { sampleDataset, splitDataset, type ImageDataset } from '../data/dataset.ts';
import { fillBatch } from '../data/batches.ts';
import { evaluationSplit, loadDataForModel } from '../data/load-data.ts';
import { DEFAULT_NORMALIZATION, normalizationTable, readNormalization } from '../data/normalization.ts';
import type { ParityImages } from './types.ts';

/** The first `count` images of a dataset as normalized model inputs, with their labels unless unlabelled. */
export function parityImagesOf(bundle: ModelBundle, data: ImageDataset, count: number, source: string): ParityImages {
  const n = Math.min(count, data.labels.length);
  const [h, w, c] = data.shape;
  const out = new Float32Array(n * h * w * c);
  fillBatch(data, Array.from({ length: n }, (_, i) => i), normalizationTable(readNormalization(bundle) ?? DEFAULT_NORMALIZATION, c), out);
  return { data: out, count: n, source, ...(data.unlabelled ? {} : { labels: data.labels.slice(0, n) }) };
}

/** Load a seeded sample of up to `count` held-out images of a folder (or IDX files) for parity and calibration. */
export async function loadParityImages(bundle: ModelBundle, path: string, count: number, seed = 0): Promise<ParityImages> {
  const splits = await loadDataForModel(bundle, path, { purpose: 'evaluation' });
  return parityImagesOf(bundle, sampleDataset(evaluationSplit(splits), count, seed), count, path);
}

/**
 * Calibration and held-out images of one folder, disjoint: calibration from `train/` (or half of a
 * folder without a split), evaluation from `test/` (or the other half); seeded samples of each.
 */
export async function loadCalibrationImages(bundle: ModelBundle, path: string, calibrationCount: number, evaluationCount: number, seed = 0): Promise<{ calibration: ParityImages; evaluation: ParityImages }> {
  const splits = await loadDataForModel(bundle, path, { purpose: 'training' });
  let train = splits.train;
  let test = splits.test;
  if (!train || !test) {
    const whole = splits.all ?? train ?? test ?? evaluationSplit(splits);
    const halves = splitDataset(whole, 0.5, seed);
    train = halves.train;
    test = halves.validation;
  }
  return {
    calibration: parityImagesOf(bundle, sampleDataset(train, calibrationCount, seed), calibrationCount, `${path} (calibration)`),
    evaluation: parityImagesOf(bundle, sampleDataset(test, evaluationCount, seed + 1), evaluationCount, `${path} (held out)`),
  };
}
