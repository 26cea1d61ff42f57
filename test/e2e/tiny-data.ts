// A tiny CIFAR-10 image folder (train/ + test/) copied from ../shared/datasets for end-to-end tests.
import { cp, mkdir, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The shared CIFAR-10 folder (present in CI and for developers, never on a user's machine). */
export const SHARED_CIFAR = resolve('..', 'shared', 'datasets', 'cifar10');

/** Copy the first `perClass` images of every class of each split into `dir`; returns `dir`. */
export async function makeTinyCifar(dir: string, perClass: { train: number; test: number }): Promise<string> {
  if (!existsSync(SHARED_CIFAR)) throw new Error(`the shared CIFAR-10 folder is missing: ${SHARED_CIFAR}`);
  for (const split of ['train', 'test'] as const) {
    for (const cls of (await readdir(join(SHARED_CIFAR, split))).sort()) {
      const files = (await readdir(join(SHARED_CIFAR, split, cls))).sort().slice(0, perClass[split]);
      await mkdir(join(dir, split, cls), { recursive: true });
      for (const f of files) await cp(join(SHARED_CIFAR, split, cls, f), join(dir, split, cls, f));
    }
  }
  return dir;
}
