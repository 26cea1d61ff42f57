// Copies the bundled CIFAR-10 subset (samples/data: 500 train + 100 test images per class, seeded) from the full image folders.
//
//   node --import tsx scripts/make-sample-data.ts [--from ../shared/datasets/cifar10] [--to samples/data]
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { shuffledIndices } from '../src/data/dataset.ts';

const { values } = parseArgs({ options: { from: { type: 'string', default: '../shared/datasets/cifar10' }, to: { type: 'string', default: 'samples/data' } } });
const PER_CLASS = { train: 500, test: 100 } as const;
const SEED = 2024;

for (const [split, count] of Object.entries(PER_CLASS)) {
  await rm(join(values.to, split), { recursive: true, force: true });
  const classes = (await readdir(join(values.from, split))).sort();
  for (const [c, name] of classes.entries()) {
    const files = (await readdir(join(values.from, split, name))).sort();
    const pick = Array.from(shuffledIndices(files.length, SEED + c).subarray(0, count)).sort((a, b) => a - b);
    await mkdir(join(values.to, split, name), { recursive: true });
    for (const i of pick) await copyFile(join(values.from, split, name, files[i] as string), join(values.to, split, name, files[i] as string));
  }
  console.log(`${split}: ${classes.length} classes × ${count} images`);
}
