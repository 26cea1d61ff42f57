// The `--weights` flag and the bytes-on-disk lines (before/after, larger-than-source warnings) of every command that writes a model.
import type { Option } from 'commander';
import type { ModelBundle } from '../core/types.ts';
import { describeEncoding, sourceEncoding, WEIGHTS_CHOICES, type WeightEncoding } from '../bundle/encoding.ts';
import { compareSizes, modelBytesOnDisk, sourceBytesOnDisk, type SizeFigures, type WrittenSize } from '../bundle/disk-size.ts';
import { choiceOption } from './options.ts';

/** `--weights float32|float16|uint8`: override the source's weight encoding. */
export function weightsOption(): Option {
  return choiceOption('--weights <encoding>', "store weights as float32, float16 or uint8 (default: as the source stored them, e.g. a uint8-quantized model stays uint8)", WEIGHTS_CHOICES);
}

/** A written model to size: what it is, its entry file, and the bundle and encoding it was written with. */
export interface WrittenModel {
  what: string;
  path: string;
  bundle: ModelBundle;
  weights?: WeightEncoding | undefined;
}

/** Bytes on disk of the source and of each written model, with the larger-than-source warnings. */
export async function measureSizes(sourcePath: string, source: ModelBundle, params: SizeFigures['params'], written: WrittenModel[]): Promise<SizeFigures> {
  const sized: WrittenSize[] = [];
  for (const w of written) {
    sized.push({ what: w.what, path: w.path, bytes: await modelBytesOnDisk(w.path), encoding: describeEncoding(w.weights ?? sourceEncoding(w.bundle), w.bundle.weights) });
  }
  const from = { path: sourcePath, bytes: await sourceBytesOnDisk(sourcePath, source), encoding: describeEncoding(sourceEncoding(source), source.weights) };
  return compareSizes(from, sized, params);
}

/** Human lines: `size   2.62 MB (uint8) → 1.31 MB (uint8) model`, then one `warning:` line per larger model. */
export function sizeLines(size: SizeFigures): string[] {
  const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;
  const lines = size.written.map((w) => `size   ${mb(size.source.bytes)} (${size.source.encoding}) → ${mb(w.bytes)} (${w.encoding}) ${w.what}${size.source.bytes > 0 ? ` (${w.bytes <= size.source.bytes ? '−' : '+'}${Math.abs(100 * (1 - w.bytes / size.source.bytes)).toFixed(1)}%)` : ''}`);
  return [...lines, ...size.warnings.map((w) => `warning: ${w}`)];
}
