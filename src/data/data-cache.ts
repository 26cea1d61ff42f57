// Decoded-data cache: datasets stored as one binary file named by a hash of the source content.
import { createHash, type Hash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-write.ts';
import type { ImageDataset } from './dataset.ts';

/** Version of the cache layout and of the decoding rules; bump it to invalidate old entries. */
const CACHE_VERSION = 'edge-prune-data-v1';
const MAGIC = 'EPDATA1\n';

/** Default cache folder: `$EDGE_PRUNE_CACHE_DIR`, else `~/.cache/edge-prune`. */
export function defaultCacheDir(): string {
  return process.env['EDGE_PRUNE_CACHE_DIR'] ?? join(homedir(), '.cache', 'edge-prune');
}

/** A content hash builder for cache keys: feed it the source bytes and the decode options. */
export function createCacheKey(kind: string, options: unknown): Hash {
  return createHash('sha256').update(`${CACHE_VERSION}\0${kind}\0${JSON.stringify(options)}\0`);
}

/** The cache file for a key. */
export function cacheFileFor(cacheDir: string, key: string): string {
  return join(cacheDir, 'datasets', `${key}.bin`);
}

/** The content key a stat key (names, sizes, times) was last seen with, if any. */
export async function readIndexEntry(cacheDir: string, statKey: string): Promise<string | undefined> {
  try {
    const entry = JSON.parse(await readFile(join(cacheDir, 'datasets', 'index', `${statKey}.json`), 'utf8')) as { contentKey?: unknown };
    return typeof entry.contentKey === 'string' && /^[0-9a-f]+$/.test(entry.contentKey) ? entry.contentKey : undefined;
  } catch {
    return undefined;
  }
}

/** Remember which content key a stat key maps to. */
export async function writeIndexEntry(cacheDir: string, statKey: string, contentKey: string): Promise<void> {
  await writeJsonAtomic(join(cacheDir, 'datasets', 'index', `${statKey}.json`), { contentKey });
}

/** Read a cached dataset; undefined when it is missing or not a valid cache file. */
export async function readCachedDataset(path: string, source: string): Promise<ImageDataset | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return undefined;
  }
  return decodeDataset(bytes, source);
}

/** A dataset from its binary form (see `encodeDataset`); undefined when the bytes are not one. */
export function decodeDataset(data: Uint8Array, source: string): ImageDataset | undefined {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length < 12 || bytes.subarray(0, 8).toString('latin1') !== MAGIC) return undefined;
  const headerLength = bytes.readUInt32LE(8);
  let header: { shape: [number, number, number]; classes: string[]; count: number };
  try {
    header = JSON.parse(bytes.subarray(12, 12 + headerLength).toString('utf8')) as typeof header;
  } catch {
    return undefined;
  }
  const labelsAt = align4(12 + headerLength);
  const imageSize = header.shape[0] * header.shape[1] * header.shape[2];
  const imagesAt = labelsAt + header.count * 4;
  if (bytes.length !== imagesAt + header.count * imageSize) return undefined;
  // Copy into fresh aligned buffers (the file buffer may come from a shared pool).
  const labels = new Int32Array(header.count);
  new Uint8Array(labels.buffer).set(bytes.subarray(labelsAt, imagesAt));
  const images = new Uint8Array(bytes.subarray(imagesAt));
  return { images, labels, shape: header.shape, classes: header.classes, source };
}

/** Round up to a multiple of 4. */
function align4(n: number): number {
  return (n + 3) & ~3;
}

/** A dataset's binary form: magic, JSON header (shape, classes, count), labels, pixels. */
export function encodeDataset(data: ImageDataset): Uint8Array {
  const header = Buffer.from(JSON.stringify({ shape: data.shape, classes: data.classes, count: data.labels.length }), 'utf8');
  const labelsAt = align4(12 + header.length);
  const out = new Uint8Array(labelsAt + data.labels.length * 4 + data.images.length);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  out.set(new Uint8Array(data.labels.buffer, data.labels.byteOffset, data.labels.byteLength), labelsAt);
  out.set(data.images, labelsAt + data.labels.length * 4);
  return out;
}

/** Write a dataset to the cache atomically (a reader never sees a half-written file). */
export async function writeCachedDataset(path: string, data: ImageDataset): Promise<void> {
  await writeFileAtomic(path, encodeDataset(data));
}
