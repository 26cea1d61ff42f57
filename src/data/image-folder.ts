// Image-folder loader: one sub-folder per class, JPEG/PNG/WebP decoded (and resized) by sharp, cached.
import { readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { fail, isEdgePruneError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { cacheFileFor, createCacheKey, defaultCacheDir, readCachedDataset, readIndexEntry, writeCachedDataset, writeIndexEntry } from './data-cache.ts';
import { UNLABELLED_CLASS, type ImageDataset } from './dataset.ts';
import { decodeImages, readImageSize, type DecodeSpec } from './decode-images.ts';
import { decodeInProcesses } from './decode-pool.ts';

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
  /** Called with the sorted class folder names before any image is read (e.g. to check them against a model); throw to stop. */
  checkClasses?: (classes: string[], dir: string) => void;
  logger?: Logger;
}

/** A loaded dataset and whether it came from the cache. */
export interface LoadedData {
  dataset: ImageDataset;
  fromCache: boolean;
  /** Images resized because their size differed from the requested one. */
  resized: number;
}

/**
 * List the class folders and their image files, sorted, with typed errors for bad layouts. A folder
 * with no sub-folders but images of its own is unlabelled: one pseudo-class holding every image.
 */
async function listClassFiles(dir: string, logger: Logger): Promise<{ classes: string[]; files: string[][]; unlabelled: boolean }> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    fail('INVALID_DATA', { expected: 'a readable folder with one sub-folder per class', found: 'no such folder', where: dir, hint: 'pass --data <folder> whose sub-folders are the class names' });
  }
  // Symbolic links are followed (symlinked datasets are common); what they point at is checked like any entry.
  const classes = entries.filter((e) => !e.name.startsWith('.') && (e.isDirectory() || (e.isSymbolicLink() && kindOf(join(dir, e.name)) === 'dir'))).map((e) => e.name).sort();
  if (classes.length === 0) {
    const flat = entries.filter((e) => !e.name.startsWith('.') && IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase())).map((e) => e.name).sort();
    if (flat.length === 0) {
      fail('INVALID_DATA', { expected: 'one sub-folder per class, or a flat folder of images (unlabelled)', found: 'no sub-folders and no images', where: dir, hint: 'arrange images as <folder>/<class>/<image>.jpg, or put unlabelled images directly in <folder>' });
    }
    for (const image of flat) if (kindOf(join(dir, image)) !== 'file') fail('INVALID_DATA', { expected: 'a regular image file', found: 'something else', where: join(dir, image), hint: 'remove it or replace it with the image file' });
    const skipped = entries.length - flat.length;
    if (skipped > 0) logger.warn(`${dir}: skipped ${skipped} file(s) that are not ${IMAGE_EXTENSIONS.join('/')} images`);
    return { classes: [UNLABELLED_CLASS], files: [flat.map((f) => join(dir, f))], unlabelled: true };
  }
  const files: string[][] = [];
  let skipped = 0;
  for (const name of classes) {
    const all = (await readdir(join(dir, name), { withFileTypes: true })).filter((e) => !e.name.startsWith('.') && (e.isFile() || e.isSymbolicLink() || IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase())));
    const images = all.filter((e) => IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase())).map((e) => e.name).sort();
    for (const image of images) {
      const kind = kindOf(join(dir, name, image));
      if (kind !== 'file') fail('INVALID_DATA', { expected: 'a regular image file', found: kind === 'missing' ? 'a broken symbolic link' : kind === 'dir' ? 'a folder' : 'a FIFO, socket or device', where: join(dir, name, image), hint: 'remove it or replace it with the image file' });
    }
    skipped += all.length - images.length;
    if (images.length === 0) {
      fail('INVALID_DATA', { expected: `at least one ${IMAGE_EXTENSIONS.join('/')} image`, found: 'an empty class folder', where: join(dir, name), hint: 'remove the empty class folder or add its images' });
    }
    files.push(images.map((f) => join(dir, name, f)));
  }
  if (skipped > 0) logger.warn(`${dir}: skipped ${skipped} file(s) that are not ${IMAGE_EXTENSIONS.join('/')} images`);
  return { classes, files, unlabelled: false };
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
 * Load an image folder (`<dir>/<class>/<image>`; classes sorted by name give the labels), or a flat
 * folder of unlabelled images (`<dir>/<image>`; the dataset is marked `unlabelled`). Images are
 * decoded with sharp, many per call (in worker processes for large folders), and resized to
 * `options.size` when they differ. The decoded pixels are cached under a hash of the files'
 * content; a second load finds the entry from the files' names, sizes and times without reading them.
 */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<LoadedData> {
  const logger = options.logger ?? silentLogger;
  const { classes, files: perClass, unlabelled } = await listClassFiles(dir, logger);
  if (!unlabelled) options.checkClasses?.(classes, dir);
  if (!unlabelled && options.classes && options.classes.join('\n') !== classes.join('\n')) {
    fail('INVALID_DATA', { expected: `the model's classes ${options.classes.join(', ')}`, found: classes.join(', '), where: dir, hint: 'class sub-folders must match the classes the model was trained on, in the same order' });
  }
  const loaded = await loadListed(dir, classes, perClass, options, logger);
  if (unlabelled) loaded.dataset.unlabelled = true;
  return loaded;
}

/** Decode (or read from the cache) the listed files of an image folder. */
async function loadListed(dir: string, classes: string[], perClass: string[][], options: ImageFolderOptions, logger: Logger): Promise<LoadedData> {
  const c = options.channels ?? 3;
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
  const [h, w] = options.size ?? (await readImageSize(bytes[0] as Uint8Array, files[0] as string));
  const spec: DecodeSpec = { height: h, width: w, channels: c, resize: options.size !== undefined };
  const onProgress = (done: number): void => logger.progress({ task: 'decode images', done, total: files.length });
  const { images, resized } = await decodeAll(bytes, files, spec, onProgress, logger);
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

/** Images from which decoding is split across worker processes (below, start-up costs more than it saves). */
const POOL_THRESHOLD = 4096;

/** Decode in worker processes when the set is large and there are cores to spare, else in this process. */
async function decodeAll(bytes: Uint8Array[], files: string[], spec: DecodeSpec, onProgress: (done: number) => void, logger: Logger): Promise<{ images: Uint8Array; resized: number }> {
  const workers = Math.min(4, availableParallelism(), Math.floor(files.length / (POOL_THRESHOLD / 2)));
  if (workers >= 2) {
    try {
      return await decodeInProcesses(files, spec, workers, onProgress);
    } catch (error) {
      if (isEdgePruneError(error)) throw error;
      logger.warn(`parallel decoding failed (${(error as Error).message}); decoding in one process`);
    }
  }
  return decodeImages(bytes, files, spec, onProgress);
}

/** What `path` is once symbolic links are followed (a FIFO or device is `special`; it is never opened). */
function kindOf(path: string): 'file' | 'dir' | 'special' | 'missing' {
  try {
    const s = statSync(path);
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'special';
  } catch {
    return 'missing';
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
