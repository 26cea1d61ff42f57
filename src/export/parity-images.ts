// Data images for export parity and int8 calibration: the held-out split of a folder, normalized as the model expects.
import type { ModelBundle } from '../core/types.ts';
import { sampleDataset, type ImageDataset } from '../data/dataset.ts';
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
