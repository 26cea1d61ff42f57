// IDX loader (the MNIST file format): images idx3 + labels idx1, raw or gzip-compressed.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fail } from '../core/errors.ts';
import type { ImageDataset } from './dataset.ts';

/** One parsed IDX array (only unsigned bytes are read as data). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parse an IDX file's bytes (gzip is detected by its magic). Only `ubyte` (0x08) data is accepted. */
export function parseIdx(raw: Uint8Array, where: string): IdxArray {
  let bytes = raw;
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw);
    } catch (error) {
      fail('INVALID_DATA', { expected: 'a valid gzip stream', found: (error as Error).message, where, hint: 'the .gz file is truncated or corrupt; download it again' });
    }
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    fail('INVALID_DATA', { expected: 'an IDX file (magic 0x0000TTNN)', found: `${bytes.length} bytes starting ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('')}`, where, hint: 'pass MNIST-style files such as train-images-idx3-ubyte(.gz)' });
  }
  const type = bytes[2] as number;
  const rank = bytes[3] as number;
  if (type !== 0x08) {
    fail('INVALID_DATA', { expected: 'unsigned byte data (type 0x08)', found: `type 0x${type.toString(16)}`, where, hint: 'only ubyte IDX files (as MNIST and Fashion-MNIST) are supported' });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (rank < 1 || bytes.length < 4 + 4 * rank) {
    fail('INVALID_DATA', { expected: 'an IDX header with its dimensions', found: `rank ${rank} in ${bytes.length} bytes`, where, hint: 'the file is truncated' });
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (bytes.length - start !== count) {
    fail('INVALID_DATA', { expected: `${count} data bytes for dimensions ${dims.join('×')}`, found: `${bytes.length - start}`, where, hint: 'the file is truncated or not an IDX file' });
  }
  return { dims, data: bytes.subarray(start) };
}

/** The labels file that belongs to an images file (`…-images-idx3-ubyte…` → `…-labels-idx1-ubyte…`). */
export function labelsFileFor(imagesFile: string): string {
  const name = basename(imagesFile).replace('images', 'labels').replace('idx3', 'idx1');
  return join(dirname(imagesFile), name);
}

/** Read an images IDX file and its labels file into a dataset (grey images, shape `h × w × 1`). */
export async function loadIdx(imagesFile: string, labelsFile = labelsFileFor(imagesFile)): Promise<ImageDataset> {
  const read = async (path: string, role: string): Promise<Uint8Array> => {
    try {
      return await readFile(path);
    } catch {
      fail('INVALID_DATA', { expected: `the ${role} IDX file`, found: 'no such file', where: path, hint: 'images and labels files sit side by side, e.g. train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz' });
    }
  };
  const images = parseIdx(await read(imagesFile, 'images'), imagesFile);
  const labels = parseIdx(await read(labelsFile, 'labels'), labelsFile);
  if (images.dims.length !== 3 && !(images.dims.length === 4 && (images.dims[3] === 1 || images.dims[3] === 3))) {
    fail('INVALID_DATA', { expected: 'images of rank 3 (n×h×w) or 4 (n×h×w×c)', found: `dimensions ${images.dims.join('×')}`, where: imagesFile, hint: 'pass the images file as the data path' });
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    fail('INVALID_DATA', { expected: `${images.dims[0]} labels (rank 1)`, found: `dimensions ${labels.dims.join('×')}`, where: labelsFile, hint: 'the labels file belongs to another images file' });
  }
  const classCount = labels.data.reduce((m, v) => Math.max(m, v), 0) + 1;
  const [, h, w, c = 1] = images.dims as [number, number, number, number?];
  return {
    images: new Uint8Array(images.data),
    labels: Int32Array.from(labels.data),
    shape: [h, w, c],
    classes: Array.from({ length: classCount }, (_, i) => String(i)),
    source: imagesFile,
  };
}

/** Names of IDX image files in a folder, by split (`train-*`, and `t10k-*` or `test-*`). */
export async function findIdxFiles(dir: string): Promise<{ train?: string; test?: string }> {
  const names = (await readdir(dir)).sort();
  const pick = (prefixes: string[]): string | undefined =>
    names.find((n) => prefixes.some((p) => n.startsWith(p)) && /images[-.]idx3[-.]ubyte(\.gz)?$/.test(n) && existsSync(labelsFileFor(join(dir, n))));
  const train = pick(['train']);
  const test = pick(['t10k', 'test']);
  return { ...(train ? { train: join(dir, train) } : {}), ...(test ? { test: join(dir, test) } : {}) };
}

/** True when a path names an IDX images file (by name). */
export function isIdxPath(path: string): boolean {
  return /idx\d-ubyte(\.gz)?$/.test(basename(path)) || /\.idx(\.gz)?$/.test(path);
}
