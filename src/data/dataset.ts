// The in-memory image dataset (raw uint8 pixels + labels) and its seeded split and subsets.
import { fail } from '../core/errors.ts';
import { createRandom, shuffledOrder } from '../core/random.ts';

/** Decoded images, channels-last uint8 (0..255), one label per image. */
export interface ImageDataset {
  /** `count × height × width × channels` bytes. */
  images: Uint8Array;
  /** Class index of every image. */
  labels: Int32Array;
  /** `[height, width, channels]` of one image. */
  shape: [number, number, number];
  /** Class names; label i is `classes[i]`. */
  classes: string[];
  /** Where the data came from (a folder or file), for messages. */
  source: string;
  /**
   * True for a flat folder of images without class folders: every label is 0 and `classes` is
   * `['(unlabelled)']`; such data serves BN re-estimation, agreement with the unpruned model and
   * distillation, never accuracy.
   */
  unlabelled?: boolean;
}

/** The one pseudo-class of unlabelled data. */
export const UNLABELLED_CLASS = '(unlabelled)';

/** Number of images in a dataset. */
export function countImages(data: ImageDataset): number {
  return data.labels.length;
}

/** Bytes of one image. */
export function imageBytes(data: ImageDataset): number {
  return data.shape[0] * data.shape[1] * data.shape[2];
}

/** A seeded permutation of `0..n-1` (Fisher-Yates). */
export function shuffledIndices(n: number, seed: number): Int32Array {
  return Int32Array.from(shuffledOrder(n, createRandom(seed)));
}

/** The images at `indices`, in that order, as a new dataset. */
export function selectImages(data: ImageDataset, indices: ArrayLike<number>, source = data.source): ImageDataset {
  const size = imageBytes(data);
  const images = new Uint8Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    images.set(data.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = data.labels[i] as number;
  }
  return { images, labels, shape: [...data.shape], classes: [...data.classes], source, ...(data.unlabelled ? { unlabelled: true } : {}) };
}

/**
 * Split a dataset into training and validation parts, deterministically for a seed: within every
 * class, a seeded shuffle sends `round(fraction × classCount)` images (at least one when the class
 * has two or more) to validation. Both parts keep the original image order.
 */
export function splitDataset(data: ImageDataset, fraction: number, seed: number): { train: ImageDataset; validation: ImageDataset } {
  if (!(fraction > 0 && fraction < 1)) {
    fail('INVALID_ARGUMENT', { expected: 'a validation fraction between 0 and 1', found: String(fraction), where: 'splitDataset', hint: 'e.g. 0.1' });
  }
  const byClass: number[][] = data.classes.map(() => []);
  data.labels.forEach((label, i) => byClass[label]?.push(i));
  const validation = new Set<number>();
  byClass.forEach((members, c) => {
    if (members.length < 2) return;
    const take = Math.min(members.length - 1, Math.max(1, Math.round(fraction * members.length)));
    const order = shuffledIndices(members.length, (seed ^ Math.imul(c + 1, 0x9e3779b1)) >>> 0);
    for (let k = 0; k < take; k++) validation.add(members[order[k] as number] as number);
  });
  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  for (let i = 0; i < data.labels.length; i++) (validation.has(i) ? valIdx : trainIdx).push(i);
  return {
    train: selectImages(data, trainIdx, `${data.source} (train split)`),
    validation: selectImages(data, valIdx, `${data.source} (validation split)`),
  };
}

/** At most `limit` images, taken evenly from a seeded shuffle (the whole set when it is smaller). */
export function sampleDataset(data: ImageDataset, limit: number, seed: number): ImageDataset {
  const n = countImages(data);
  if (limit >= n) return data;
  const order = Array.from(shuffledIndices(n, seed).subarray(0, limit)).sort((a, b) => a - b);
  return selectImages(data, order, `${data.source} (${limit} of ${n})`);
}

/** Check that two datasets can be used together (same image shape and classes). */
export function requireCompatible(a: ImageDataset, b: ImageDataset): void {
  if (a.shape.join('x') !== b.shape.join('x') || a.classes.join('\n') !== b.classes.join('\n')) {
    fail('INVALID_DATA', {
      expected: `the same image shape and classes as ${a.source} (${a.shape.join('×')}, ${a.classes.length} classes)`,
      found: `${b.shape.join('×')}, ${b.classes.length} classes`,
      where: b.source,
      hint: 'training and validation folders must hold the same class sub-folders',
    });
  }
}
