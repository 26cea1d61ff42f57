// Reads width, height and channel count from JPEG, PNG and WebP headers without decoding.

/** Size and layout of an encoded image, as its header states. */
export interface ImageHeader {
  format: 'jpeg' | 'png' | 'webp';
  width: number;
  height: number;
  /** Decoded channel count (1 grey, 2 grey+alpha, 3 colour, 4 colour+alpha or CMYK). */
  channels: number;
  /** True when the decoder produces plain 8-bit samples in that channel count (no palette, no 16-bit, no CMYK). */
  plain8bit: boolean;
}

/** Start-of-frame markers of every JPEG coding process (not DHT C4, JPG C8, DAC CC). */
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** JPEG: walk the marker segments up to the start-of-frame. */
function readJpeg(b: Uint8Array): ImageHeader | undefined {
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1] as number;
    if (marker === 0xff) {
      p += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      p += 2;
      continue;
    }
    const length = ((b[p + 2] as number) << 8) | (b[p + 3] as number);
    if (SOF_MARKERS.has(marker)) {
      if (p + 10 > b.length) return undefined;
      const precision = b[p + 4] as number;
      const height = ((b[p + 5] as number) << 8) | (b[p + 6] as number);
      const width = ((b[p + 7] as number) << 8) | (b[p + 8] as number);
      const channels = b[p + 9] as number;
      return { format: 'jpeg', width, height, channels, plain8bit: precision === 8 && (channels === 1 || channels === 3) };
    }
    if (marker === 0xda || marker === 0xd9 || length < 2) return undefined;
    p += 2 + length;
  }
  return undefined;
}

/** PNG: the IHDR chunk is always first. */
function readPng(b: Uint8Array): ImageHeader | undefined {
  if (b.length < 29) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = b[24] as number;
  const colorType = b[25] as number;
  const channels = ({ 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (channels === undefined) return undefined;
  return { format: 'png', width, height, channels, plain8bit: depth === 8 && colorType !== 3 };
}

/** WebP: simple lossy (VP8), lossless (VP8L) or extended (VP8X) files. */
function readWebp(b: Uint8Array): ImageHeader | undefined {
  if (b.length < 30) return undefined;
  const tag = String.fromCharCode(b[12] as number, b[13] as number, b[14] as number, b[15] as number);
  const u16 = (i: number): number => (b[i] as number) | ((b[i + 1] as number) << 8);
  const u24 = (i: number): number => u16(i) | ((b[i + 2] as number) << 16);
  if (tag === 'VP8 ') return { format: 'webp', width: u16(26) & 0x3fff, height: u16(28) & 0x3fff, channels: 3, plain8bit: true };
  if (tag === 'VP8L') {
    const bits = (u24(21) | ((b[24] as number) << 24)) >>> 0;
    const alpha = ((bits >>> 28) & 1) === 1;
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, channels: alpha ? 4 : 3, plain8bit: !alpha };
  }
  if (tag === 'VP8X') {
    const alpha = ((b[20] as number) & 0x10) !== 0;
    return { format: 'webp', width: u24(24) + 1, height: u24(27) + 1, channels: alpha ? 4 : 3, plain8bit: !alpha };
  }
  return undefined;
}

/** The header of a JPEG, PNG or WebP file, or undefined when the bytes are none of these. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  if (bytes.length < 12) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return readJpeg(bytes);
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return readPng(bytes);
  const riff = String.fromCharCode(bytes[0] as number, bytes[1] as number, bytes[2] as number, bytes[3] as number);
  const webp = String.fromCharCode(bytes[8] as number, bytes[9] as number, bytes[10] as number, bytes[11] as number);
  if (riff === 'RIFF' && webp === 'WEBP') return readWebp(bytes);
  return undefined;
}
