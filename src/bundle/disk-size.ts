// Bytes a model takes on disk (model.json and its shards, or the one file), and the size comparison every writer reports.
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ENCODING_BYTES, isWeightEncoding } from './encoding.ts';
import type { JsonObject, ModelBundle } from '../core/types.ts';

/** Size of a file, 0 when it cannot be read. */
async function fileBytes(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/**
 * Bytes on disk of a model file: a model.json (Layers or graph model) with every shard its manifest
 * names, else the file itself (ONNX, .keras, .h5). Files that cannot be read count 0.
 */
export async function modelBytesOnDisk(path: string): Promise<number> {
  const own = await fileBytes(path);
  if (!path.endsWith('.json')) return own;
  let manifest: unknown;
  try {
    manifest = (JSON.parse(await readFile(path, 'utf8')) as { weightsManifest?: unknown }).weightsManifest;
  } catch {
    return own;
  }
  if (!Array.isArray(manifest)) return own;
  const paths = new Set<string>();
  for (const g of manifest) for (const p of (g as { paths?: unknown }).paths instanceof Array ? ((g as { paths: unknown[] }).paths) : []) if (typeof p === 'string' && !p.includes('..')) paths.add(p);
  let total = own;
  for (const p of paths) total += await fileBytes(join(dirname(path), p));
  return total;
}

/**
 * Bytes on disk of a source model: its file(s) as {@link modelBytesOnDisk} counts them, plus the
 * external data files an ONNX import recorded (`importedFrom.externalData`, beside the file).
 */
export async function sourceBytesOnDisk(path: string, source: Pick<ModelBundle, 'meta'>): Promise<number> {
  let total = await modelBytesOnDisk(path);
  const imported = source.meta['importedFrom'];
  const extra = typeof imported === 'object' && imported !== null && !Array.isArray(imported) ? (imported as JsonObject)['externalData'] : undefined;
  if (Array.isArray(extra)) for (const f of extra) if (typeof f === 'string' && !f.includes('..')) total += await fileBytes(join(dirname(path), f));
  return total;
}

/** One written model: what, where, bytes on disk and weight encoding. */
export interface WrittenSize {
  /** `model` (the Layers bundle of a prune/finetune/import) or an export format. */
  what: string;
  path: string;
  bytes: number;
  /** Weight encoding written, e.g. `uint8` or `mixed (uint8 90%, float32 10%)`. */
  encoding: string;
}

/** Bytes on disk before (the source) and after (each written model), with a warning for every model larger than its source. */
export interface SizeFigures {
  source: { path: string; bytes: number; encoding: string };
  written: WrittenSize[];
  /** Parameter counts of the source and of the written models. */
  params: { before: number; after: number };
  /** One line per written model larger than the source, with the reason. */
  warnings: string[];
}

/** Bytes per element an encoding label stands for (mixed labels: their first, dominant, encoding). */
function bytesPerElement(label: string): number {
  const first = label.replace(/^mixed \(/, '').split(/[ ,)]/)[0];
  return isWeightEncoding(first) ? ENCODING_BYTES[first] : 4;
}

/** Compare written sizes with the source's and say why a written model is larger. */
export function compareSizes(source: SizeFigures['source'], written: WrittenSize[], params: SizeFigures['params']): SizeFigures {
  const warnings: string[] = [];
  const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;
  for (const w of written) {
    if (source.bytes <= 0 || w.bytes <= source.bytes) continue;
    const wider = bytesPerElement(w.encoding) > bytesPerElement(source.encoding);
    const reason = wider
      ? `its weights are stored as ${w.encoding} while the source stores ${source.encoding} (--weights ${source.encoding.replace(/^mixed \(([a-z0-9]+).*$/, '$1')} keeps the source's encoding)`
      : params.after >= params.before ? 'nothing was pruned and the format adds its own overhead' : `the ${w.what} format stores more than the source's (e.g. unfused layers or per-tensor metadata)`;
    warnings.push(`${w.what} (${mb(w.bytes)}) is larger than its source (${mb(source.bytes)}): ${reason}`);
  }
  return { source, written, params, warnings };
}
