// Image-folder loader: one sub-folder per class, JPEG/PNG/WebP decoded (and resized) by sharp, cached.
import { readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { fail } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { cacheFileFor, createCacheKey, defaultCacheDir, readCachedDataset, readIndexEntry, writeCachedDataset, writeIndexEntry } from './data-cache.ts';
import type { ImageDataset } from './dataset.ts';
import { readImageHeader } from './image-header.ts';

/** File extensions read as images (case-insensitive). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'];

/** Options of the image-folder loader. */
export interface ImageFolderOptions {
  /** `[height, width]` to resize every image to (usually the model's input size). Without it, every image must have the first image's size. */
  size?: [number, number];
  /** 3 (RGB, default) or 1 (grey). */
  channels?: 1 | 3;
  /** Cache folder, or `false` to neither read nor write the cache. Default: {@link defaultCacheDir}. */
  cacheDir?: string | false;
  /** Class names in label order, to check the folder against (e.g. from the model's metadata). */
  classes?: string[];
  logger?: Logger;
}

/** A loaded dataset and whether it came from the cache. */
export interface LoadedData {
  dataset: ImageDataset;
  fromCache: boolean;
  /** Images resized because their size differed from the requested one. */
  resized: number;
}

/** Images decoded per sharp call: one libvips pipeline per chunk instead of per image. */
const CHUNK = 256;

/** List the class folders and their image files, sorted, with typed errors for bad layouts. */
async function listClassFiles(dir: string, logger: Logger): Promise<{ classes: string[]; files: string[][] }> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    fail('INVALID_DATA', { expected: 'a readable folder with one sub-folder per class', found: 'no such folder', where: dir, hint: 'pass --data <folder> whose sub-folders are the class names' });
  }
  const classes = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  if (classes.length === 0) {
    fail('INVALID_DATA', { expected: 'one sub-folder per class', found: 'no sub-folders', where: dir, hint: 'arrange images as <folder>/<class>/<image>.jpg' });
  }
  const files: string[][] = [];
  let skipped = 0;
  for (const name of classes) {
    const all = (await readdir(join(dir, name), { withFileTypes: true })).filter((e) => e.isFile() && !e.name.startsWith('.'));
    const images = all.filter((e) => IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase())).map((e) => e.name).sort();
    skipped += all.length - images.length;
    if (images.length === 0) {
      fail('INVALID_DATA', { expected: `at least one ${IMAGE_EXTENSIONS.join('/')} image`, found: 'an empty class folder', where: join(dir, name), hint: 'remove the empty class folder or add its images' });
    }
    files.push(images.map((f) => join(dir, name, f)));
  }
  if (skipped > 0) logger.warn(`${dir}: skipped ${skipped} file(s) that are not ${IMAGE_EXTENSIONS.join('/')} images`);
  return { classes, files };
}

/** Run `task` over `0..n-1` with at most `limit` in flight. */
async function forEachLimited(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

/** Decode one image to exactly `h × w × c` uint8, resizing (cover) when its size differs. */
async function decodeOne(bytes: Uint8Array, file: string, h: number, w: number, c: number): Promise<Uint8Array> {
  try {
    let image = sharp(bytes).resize(w, h, { fit: 'cover' });
    image = c === 1 ? image.removeAlpha().toColourspace('b-w') : image.removeAlpha().toColourspace('srgb');
    const { data, info } = await image.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const out = c === 3 && info.channels === 4 ? dropAlpha(data) : data;
    if (out.length !== h * w * c) throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}`);
    return out;
  } catch (error) {
    fail('INVALID_DATA', { expected: 'a decodable JPEG, PNG or WebP image', found: (error as Error).message, where: file, hint: 'remove or replace the corrupt image' });
  }
}

/** RGBA → RGB. */
function dropAlpha(rgba: Uint8Array): Uint8Array {
  const out = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    out[j] = rgba[i] as number;
    out[j + 1] = rgba[i + 1] as number;
    out[j + 2] = rgba[i + 2] as number;
  }
  return out;
}

/** Decode a chunk in one sharp call (images stacked as pages); undefined if sharp disagrees with the headers. */
async function decodeJoined(chunk: Uint8Array[], h: number, w: number, c: number): Promise<Uint8Array | undefined> {
  try {
    const { data, info } = await sharp(chunk as Buffer[], { join: { animated: true } }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.width !== w || info.height !== h * chunk.length || info.channels !== c) return undefined;
    return data;
  } catch {
    return undefined;
  }
}

/** Read every file's bytes (synchronous reads, in slices, are several times faster than async ones for small files). */
async function readAll(files: string[]): Promise<Uint8Array[]> {
  const bytes: Uint8Array[] = new Array(files.length);
  for (let start = 0; start < files.length; start += 2000) {
    for (let i = start; i < Math.min(files.length, start + 2000); i++) bytes[i] = readFileSync(files[i] as string);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return bytes;
}

/** Hash the files' content (with the decode options) into the content key. */
function contentKey(files: string[], bytes: Uint8Array[], root: string, keyOptions: unknown): string {
  const hash = createCacheKey('image-folder', keyOptions);
  files.forEach((f, i) => hash.update(`${f.slice(root.length)}\0${(bytes[i] as Uint8Array).length}\0`).update(bytes[i] as Uint8Array));
  return hash.digest('hex').slice(0, 32);
}

/** Hash the files' names, sizes and modification times: a shortcut to the content key without reading. */
function statKey(files: string[], root: string, keyOptions: unknown): string {
  const hash = createCacheKey('image-folder-stat', keyOptions);
  for (const f of files) {
    const s = statSync(f);
    hash.update(`${f.slice(root.length)}\0${s.size}\0${s.mtimeMs}\0${s.ino}\n`);
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * Load an image folder (`<dir>/<class>/<image>`; classes sorted by name give the labels). Images are
 * decoded with sharp, many per call, and resized to `options.size` when they differ. The decoded
 * pixels are cached under a hash of the files' content, so a second load skips decoding.
 */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<LoadedData> {
  const logger = options.logger ?? silentLogger;
  const c = options.channels ?? 3;
  const { classes, files: perClass } = await listClassFiles(dir, logger);
  if (options.classes && options.classes.join('\n') !== classes.join('\n')) {
    fail('INVALID_DATA', { expected: `the model's classes ${options.classes.join(', ')}`, found: classes.join(', '), where: dir, hint: 'class sub-folders must match the classes the model was trained on, in the same order' });
  }
  const files = perClass.flat();
  const labels = new Int32Array(files.length);
  let k = 0;
  perClass.forEach((list, label) => list.forEach(() => (labels[k++] = label)));
  const keyOptions = { size: options.size ?? null, channels: c, classes };
  const cacheDir = options.cacheDir === false ? undefined : (options.cacheDir ?? defaultCacheDir());
  const shortcut = cacheDir ? statKey(files, dir, keyOptions) : '';
  if (cacheDir) {
    const known = await readIndexEntry(cacheDir, shortcut);
    const cached = known ? await readCachedDataset(cacheFileFor(cacheDir, known), dir) : undefined;
    if (cached) return { dataset: cached, fromCache: true, resized: 0 };
  }
  const bytes = await readAll(files);
  const key = contentKey(files, bytes, dir, keyOptions);
  const cacheFile = cacheDir ? cacheFileFor(cacheDir, key) : undefined;
  if (cacheDir && cacheFile) {
    const cached = await readCachedDataset(cacheFile, dir);
    if (cached) {
      await writeIndexEntry(cacheDir, shortcut, key).catch(() => undefined);
      return { dataset: cached, fromCache: true, resized: 0 };
    }
  }
  const first = readImageHeader(bytes[0] as Uint8Array);
  const [h, w] = options.size ?? (first ? [first.height, first.width] : await sizeOf(bytes[0] as Uint8Array, files[0] as string));
  const size = h * w * c;
  const images = new Uint8Array(files.length * size);
  let resized = 0;
  let done = 0;
  const previousConcurrency = sharp.concurrency();
  sharp.concurrency(1);
  try {
    const chunks = Math.ceil(files.length / CHUNK);
    await forEachLimited(chunks, Math.max(2, availableParallelism() * 2), async (ci) => {
      const start = ci * CHUNK;
      const end = Math.min(files.length, start + CHUNK);
      const headers = bytes.slice(start, end).map((b) => readImageHeader(b));
      const plain = headers.every((hd) => hd && hd.plain8bit && hd.width === w && hd.height === h && hd.channels === c);
      const joined = plain ? await decodeJoined(bytes.slice(start, end), h, w, c) : undefined;
      if (joined) images.set(joined, start * size);
      else {
        for (let i = start; i < end; i++) {
          const hd = headers[i - start];
          if (!options.size && (!hd || hd.width !== w || hd.height !== h)) await requireSize(bytes[i] as Uint8Array, files[i] as string, h, w);
          if (hd && (hd.width !== w || hd.height !== h)) resized += 1;
          images.set(await decodeOne(bytes[i] as Uint8Array, files[i] as string, h, w, c), i * size);
        }
      }
      done += end - start;
      logger.progress({ task: 'decode images', done, total: files.length });
    });
  } finally {
    sharp.concurrency(previousConcurrency);
  }
  const dataset: ImageDataset = { images, labels, shape: [h, w, c], classes, source: dir };
  if (cacheDir && cacheFile) {
    try {
      await writeCachedDataset(cacheFile, dataset);
      await writeIndexEntry(cacheDir, shortcut, key);
    } catch (error) {
      logger.warn(`could not write the data cache ${cacheFile}: ${(error as Error).message}`);
    }
  }
  return { dataset, fromCache: false, resized };
}

/** Size of an image whose header the fast reader did not understand (sharp reads it). */
async function sizeOf(bytes: Uint8Array, file: string): Promise<[number, number]> {
  try {
    const meta = await sharp(bytes).metadata();
    if (meta.width && meta.height) return [meta.height, meta.width];
  } catch {
    // reported below
  }
  fail('INVALID_DATA', { expected: 'a decodable JPEG, PNG or WebP image', found: 'unreadable image header', where: file, hint: 'remove or replace the corrupt image' });
}

/** Without a requested size, every image must match the first one's. */
async function requireSize(bytes: Uint8Array, file: string, h: number, w: number): Promise<void> {
  const [fh, fw] = await sizeOf(bytes, file);
  if (fh !== h || fw !== w) {
    fail('INVALID_DATA', { expected: `${w}×${h} like the first image`, found: `${fw}×${fh}`, where: file, hint: 'images differ in size: give the size to resize to (the model input size is used when a model is given)' });
  }
}

/** True when `path` is a folder. */
export async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
