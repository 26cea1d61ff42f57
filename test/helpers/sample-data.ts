// Subsets of the bundled CIFAR-10 images (samples/data, in the repository) copied into test folders.
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bundled image folders: samples/data/train (500 per class) and samples/data/test (100 per class). */
export const SAMPLE_DATA = fileURLToPath(new URL('../../samples/data', import.meta.url));

/** The ten CIFAR-10 class folders, in label order. */
export const SAMPLE_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/** The sorted file names of one class folder of a split of the bundled data. */
export async function sampleFiles(split: 'train' | 'test', className: string): Promise<string[]> {
  return (await readdir(join(SAMPLE_DATA, split, className))).sort();
}

/**
 * Copy the first `perClass` images (by sorted name) of `classes` (default: all ten) of a split of
 * the bundled data into `<to>/<class>/`; returns the copied file names per class.
 */
export async function copySampleSplit(to: string, split: 'train' | 'test', perClass: number, classes: readonly string[] = SAMPLE_CLASSES): Promise<Map<string, string[]>> {
  const copied = new Map<string, string[]>();
  for (const name of classes) {
    const files = (await sampleFiles(split, name)).slice(0, perClass);
    if (files.length < perClass) throw new Error(`samples/data/${split}/${name} holds ${files.length} images, fewer than the ${perClass} asked for`);
    await mkdir(join(to, name), { recursive: true });
    for (const f of files) await copyFile(join(SAMPLE_DATA, split, name, f), join(to, name, f));
    copied.set(name, files);
  }
  return copied;
}

/** A train/ + test/ image folder with `perClass` images of every class from each split; returns `dir`. */
export async function makeSampleDataFolder(dir: string, perClass: { train: number; test: number }): Promise<string> {
  await copySampleSplit(join(dir, 'train'), 'train', perClass.train);
  await copySampleSplit(join(dir, 'test'), 'test', perClass.test);
  return dir;
}
