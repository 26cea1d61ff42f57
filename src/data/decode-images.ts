// Decodes encoded images to uint8 pixels with sharp: many same-size images per call, odd ones one by one.
import sharp from 'sharp';
import { fail } from '../core/errors.ts';
import { readImageHeader } from './image-header.ts';

/** What every decoded image must become. */
export interface DecodeSpec {
  height: number;
  width: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  /** Resize images of another size (cover); otherwise a differing size is an INVALID_DATA error. */
  resize: boolean;
}

/** Images decoded per sharp call: one libvips pipeline per chunk instead of per image. */
const CHUNK = 256;

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

/** Size `[height, width]` of an image as sharp reads it, with a typed error when it cannot. */
export async function readImageSize(bytes: Uint8Array, file: string): Promise<[number, number]> {
  const header = readImageHeader(bytes);
  if (header) return [header.height, header.width];
  try {
    const meta = await sharp(bytes).metadata();
    if (meta.width && meta.height) return [meta.height, meta.width];
  } catch {
    // reported below
  }
  fail('INVALID_DATA', { expected: 'a decodable JPEG, PNG or WebP image', found: 'unreadable image header', where: file, hint: 'remove or replace the corrupt image' });
}

/** Decode one image to exactly the spec's size and channels. */
async function decodeOne(bytes: Uint8Array, file: string, spec: DecodeSpec): Promise<Uint8Array> {
  const { height: h, width: w, channels: c } = spec;
  if (!spec.resize) {
    const [fh, fw] = await readImageSize(bytes, file);
    if (fh !== h || fw !== w) {
      fail('INVALID_DATA', { expected: `${w}×${h} like the first image`, found: `${fw}×${fh}`, where: file, hint: 'images differ in size: give the size to resize to (the model input size is used when a model is given)' });
    }
  }
  try {
    const image = sharp(bytes).resize(w, h, { fit: 'cover' }).removeAlpha().toColourspace(c === 1 ? 'b-w' : 'srgb');
    const { data, info } = await image.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const out = c === 3 && info.channels === 4 ? dropAlpha(data) : data;
    if (out.length !== h * w * c) throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}`);
    return out;
  } catch (error) {
    fail('INVALID_DATA', { expected: 'a decodable JPEG, PNG or WebP image', found: (error as Error).message, where: file, hint: 'remove or replace the corrupt image' });
  }
}

/** Decode a chunk in one sharp call (images stacked as pages); undefined if sharp disagrees with the headers. */
async function decodeJoined(chunk: Uint8Array[], spec: DecodeSpec): Promise<Uint8Array | undefined> {
  try {
    const { data, info } = await sharp(chunk as Buffer[], { join: { animated: true } }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.width !== spec.width || info.height !== spec.height * chunk.length || info.channels !== spec.channels) return undefined;
    return data;
  } catch {
    return undefined;
  }
}

/**
 * Decode `bytes` (one entry per file) into one `count × h × w × c` buffer. Chunks whose headers all
 * match the spec are decoded in one sharp call; other chunks (other sizes, alpha, palettes, a
 * corrupt file) image by image, so a bad file is named in its INVALID_DATA error. Chunks run one
 * at a time: libvips gains nothing from parallel pipelines in one process (measured: twice the CPU
 * for the same wall time), so parallelism comes from worker processes (see decode-pool.ts).
 */
export async function decodeImages(bytes: Uint8Array[], files: string[], spec: DecodeSpec, onProgress?: (done: number) => void): Promise<{ images: Uint8Array; resized: number }> {
  const size = spec.height * spec.width * spec.channels;
  const images = new Uint8Array(bytes.length * size);
  let resized = 0;
  const previous = sharp.concurrency();
  sharp.concurrency(1);
  try {
    for (let start = 0; start < bytes.length; start += CHUNK) {
      const end = Math.min(bytes.length, start + CHUNK);
      const chunk = bytes.slice(start, end);
      const headers = chunk.map((b) => readImageHeader(b));
      const plain = headers.every((hd) => hd && hd.plain8bit && hd.width === spec.width && hd.height === spec.height && hd.channels === spec.channels);
      const joined = plain ? await decodeJoined(chunk, spec) : undefined;
      if (joined) images.set(joined, start * size);
      else {
        for (let i = start; i < end; i++) {
          const hd = headers[i - start];
          if (hd && (hd.width !== spec.width || hd.height !== spec.height)) resized += 1;
          images.set(await decodeOne(bytes[i] as Uint8Array, files[i] as string, spec), i * size);
        }
      }
      onProgress?.(end);
    }
  } finally {
    sharp.concurrency(previous);
  }
  return { images, resized };
}
