// Bytes on disk of each exported format next to the source's, with the larger-than-source warnings.
import { join } from 'node:path';
import type { ModelBundle } from '../core/types.ts';
import { describeEncoding, sourceEncoding } from '../bundle/encoding.ts';
import { compareSizes, sourceBytesOnDisk, type SizeFigures, type WrittenSize } from '../bundle/disk-size.ts';
import type { ExportResult } from './types.ts';

/** The written formats of an export as sizes, named by folder (`onnx`, `onnx-int8`; the Layers bundle with its per-weight encoding, the others with theirs). */
export function exportedSizes(result: Pick<ExportResult, 'formats' | 'encoding' | 'outDir'>): WrittenSize[] {
  return result.formats.map((f) => ({
    what: f.entry.split('/')[0] ?? f.format,
    path: join(result.outDir, f.entry),
    bytes: f.totalBytes,
    encoding: f.format === 'tfjs' ? result.encoding.written : f.precision,
  }));
}

/** Size figures of an export against its source model file (`extra`: other written models, e.g. the run's Layers bundle). */
export async function exportSizeFigures(result: Pick<ExportResult, 'formats' | 'encoding' | 'outDir'>, sourcePath: string, source: ModelBundle, params: SizeFigures['params'], extra: WrittenSize[] = []): Promise<SizeFigures> {
  const from = { path: sourcePath, bytes: await sourceBytesOnDisk(sourcePath, source), encoding: describeEncoding(sourceEncoding(source), source.weights) };
  return compareSizes(from, [...extra, ...exportedSizes(result)], params);
}
