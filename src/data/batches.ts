// Batch assembly: normalized float inputs from uint8 images, with seeded pad-and-crop and flip.
import { createRandom, hashString } from '../core/random.ts';
import { imageBytes, type ImageDataset } from './dataset.ts';

/** Augmentation applied to training batches. */
export interface Augmentation {
  /** Zero-pad each side by this many pixels, then crop back at a random offset (0 = no crop). */
  pad: number;
  /** Mirror left-right with probability 1/2. */
  flip: boolean;
}

/** The standard CIFAR augmentation: pad 4 + random crop, horizontal flip. */
export const STANDARD_AUGMENTATION: Augmentation = { pad: 4, flip: true };

/** A seeded generator for one (seed, epoch, step), so a resumed run draws the same numbers. */
export function stepRandom(seed: number, epoch: number, step: number): () => number {
  return createRandom(hashString(`${seed}:${epoch}:${step}`));
}

/**
 * Fill `out` (batch × h × w × c floats) with the images at `indices` mapped through the
 * normalization table `lut` (see normalizationTable), augmented when `augment` is given.
 * Padding uses pixel value 0 (black), as torchvision's RandomCrop does.
 */
export function fillBatch(
  data: ImageDataset,
  indices: ArrayLike<number>,
  lut: Float32Array,
  out: Float32Array,
  augment?: Augmentation,
  random?: () => number,
): void {
  const [h, w, c] = data.shape;
  const size = imageBytes(data);
  const pixels = data.images;
  for (let k = 0; k < indices.length; k++) {
    const base = (indices[k] as number) * size;
    const o = k * size;
    if (!augment || !random) {
      for (let i = 0; i < size; i++) out[o + i] = lut[(i % c) * 256 + (pixels[base + i] as number)] as number;
      continue;
    }
    const pad = augment.pad;
    const dy = pad > 0 ? Math.floor(random() * (2 * pad + 1)) - pad : 0;
    const dx = pad > 0 ? Math.floor(random() * (2 * pad + 1)) - pad : 0;
    const flip = augment.flip && random() < 0.5;
    for (let y = 0; y < h; y++) {
      const sy = y + dy;
      for (let x = 0; x < w; x++) {
        const sx = (flip ? w - 1 - x : x) + dx;
        const dst = o + (y * w + x) * c;
        if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
          for (let ch = 0; ch < c; ch++) out[dst + ch] = lut[ch * 256] as number;
        } else {
          const src = base + (sy * w + sx) * c;
          for (let ch = 0; ch < c; ch++) out[dst + ch] = lut[ch * 256 + (pixels[src + ch] as number)] as number;
        }
      }
    }
  }
}

/** Learning rate at `step` of `total`: linear warm-up for `warmup` steps, then cosine decay to 0. */
export function cosineLearningRate(base: number, step: number, total: number, warmup = 0): number {
  if (step < warmup) return (base * (step + 1)) / warmup;
  const t = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return base * 0.5 * (1 + Math.cos(Math.PI * t));
}
