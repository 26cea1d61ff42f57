// Reads an export folder (manifest.json by `edge-prune export`) and picks the bundle a runtime loads.
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { fail } from '../core/errors.ts';
import type { RuntimeName, Target } from '../core/schemas.ts';
import { resolveInside } from '../bundle/safe-path.ts';
import type { BundleFormat } from './types.ts';

/** One file of the chosen bundle. */
export interface BundleFile {
  /** Path relative to the export folder, with `/` separators (e.g. `tfjs/model.json`). */
  path: string;
  /** Real absolute path, checked to stay inside the export folder. */
  absolute: string;
  bytes: number;
}

/** The bundle a measurement runs, taken from an export folder. */
export interface ExportedBundle {
  root: string;
  format: BundleFormat;
  /** Entry file relative to the root (model.json or model.onnx). */
  entry: string;
  files: BundleFile[];
  /** Input shape without the batch dimension, channels-last (as the Keras model has it). */
  inputShape: number[];
  /** ONNX image layout (nchw turns [H, W, C] into [C, H, W]); null for TF.js. */
  layout: 'nchw' | 'nhwc' | null;
  /** Total bytes of the bundle's files. */
  bytes: number;
}

const manifestSchema = z.object({
  producer: z.literal('edge-prune'),
  inputShape: z.array(z.number().int().positive()).min(1).max(8),
  formats: z
    .array(
      z.object({
        format: z.enum(['tfjs', 'tfjs-graph', 'onnx']),
        entry: z.string().min(1),
        files: z.array(z.object({ path: z.string().min(1), bytes: z.number().int().nonnegative() })).min(1).max(10_000),
        layout: z.enum(['nchw', 'nhwc']).optional(),
      }),
    )
    .min(1),
});

/**
 * Formats a runtime can load, fastest first: a TF.js runtime runs the graph model (BatchNormalization
 * folded, activations fused) about twice as fast as the equivalent Layers model.
 */
export function formatsFor(runtime: RuntimeName): BundleFormat[] {
  return runtime.startsWith('tfjs') ? ['tfjs-graph', 'tfjs'] : ['onnx'];
}

/** Order of preference: the target's export formats first, then any other format its runtime loads. */
function preferredFormats(target: Target): BundleFormat[] {
  const fromTarget: BundleFormat[] = [...target.exportFormats];
  const loadable = formatsFor(target.runtime);
  return [...new Set([...fromTarget.filter((f) => loadable.includes(f)), ...loadable])];
}

/** Read and validate `<dir>/manifest.json`. */
async function readManifest(root: string): Promise<z.infer<typeof manifestSchema>> {
  const path = join(root, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    fail('INVALID_ARGUMENT', {
      expected: 'an export folder written by `edge-prune export` (with manifest.json)',
      found: `no readable manifest.json in ${root}`,
      where: root,
      hint: 'run `edge-prune export <model.json> --format tfjs,onnx --out <dir>` and pass that folder',
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    fail('INVALID_JSON', { expected: 'valid JSON', found: (error as Error).message, where: path, hint: 're-export the model' });
  }
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail('INVALID_MODEL', {
      expected: 'an edge-prune export manifest',
      found: `${issue?.message ?? 'invalid'} at ${issue?.path.join('.') || '(top level)'}`,
      where: path,
      hint: 're-export the model with `edge-prune export`',
    });
  }
  return parsed.data;
}

/**
 * Pick the bundle to measure from an export folder: `format` when given (it must exist and, unless
 * `anyFormat`, suit the target's runtime), else the first the target's runtime loads; with `entry`,
 * the bundle of that entry file (e.g. `onnx-int8/model.onnx`) among those formats. Every file is
 * resolved inside the folder and size-checked against the manifest.
 */
export async function readExportedBundle(exportDir: string, target: Target, options: { format?: BundleFormat; anyFormat?: boolean; entry?: string } = {}): Promise<ExportedBundle> {
  const root = resolve(exportDir);
  const manifest = await readManifest(root);
  const present = manifest.formats.map((f) => f.format);
  const wanted = options.format ? [options.format] : preferredFormats(target);
  if (options.format && !options.anyFormat && !formatsFor(target.runtime).includes(options.format)) {
    fail('INVALID_ARGUMENT', {
      expected: `a format ${target.runtime} loads (${formatsFor(target.runtime).join(' or ')})`,
      found: options.format,
      where: '--format',
      hint: `target ${target.name} runs ${target.runtime}; pick a target whose runtime loads ${options.format}`,
    });
  }
  // An entry names one bundle among several of a format (the int8 ONNX beside the float one).
  const chosen = options.entry !== undefined
    ? manifest.formats.find((f) => f.entry === options.entry && wanted.includes(f.format))
    : wanted.map((w) => manifest.formats.find((f) => f.format === w)).find((f) => f !== undefined);
  if (!chosen && options.entry !== undefined) {
    fail('INVALID_ARGUMENT', {
      expected: `the entry ${options.entry} among the ${wanted.join(' or ')} bundles of the export`,
      found: `entries ${manifest.formats.map((f) => f.entry).join(', ')}`,
      where: join(root, 'manifest.json'),
      hint: `pass one of those entries to --entry (a ${wanted.join('/')} one for target ${target.name})`,
    });
  }
  if (!chosen) {
    fail('INVALID_ARGUMENT', {
      expected: `an export in ${wanted.join(' or ')} (what ${target.runtime} loads)`,
      found: `formats ${present.join(', ')}`,
      where: join(root, 'manifest.json'),
      hint: `export with --format ${wanted[0] ?? 'tfjs'} for target ${target.name}`,
    });
  }
  const manifestPath = join(root, 'manifest.json');
  const files: BundleFile[] = [];
  for (const f of chosen.files) {
    const absolute = await resolveInside(root, f.path, manifestPath);
    if (!absolute) fail('MISSING_WEIGHTS', { expected: `file ${f.path} of the ${chosen.format} export`, found: 'no such file', where: root, hint: 'the export is incomplete; export again' });
    const info = await stat(absolute);
    if (info.size !== f.bytes) {
      fail('WEIGHTS_MISMATCH', { expected: `${f.bytes} bytes (as manifest.json says)`, found: `${info.size} bytes`, where: join(root, f.path), hint: 'the export was changed after writing; export again' });
    }
    files.push({ path: f.path.split('\\').join('/'), absolute, bytes: info.size });
  }
  if (!files.some((f) => f.path === chosen.entry)) {
    fail('INVALID_MODEL', { expected: `the entry ${chosen.entry} among the listed files`, found: 'it is not listed', where: manifestPath, hint: 're-export the model' });
  }
  return {
    root,
    format: chosen.format,
    entry: chosen.entry,
    files,
    inputShape: manifest.inputShape,
    layout: chosen.format === 'onnx' ? (chosen.layout ?? 'nchw') : null,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
  };
}

/** The batch-1 input dims a runtime feeds: NHWC for TF.js and NHWC ONNX, NCHW for NCHW ONNX images. */
export function inputDimsOf(bundle: ExportedBundle): number[] {
  const s = bundle.inputShape;
  if (bundle.layout === 'nchw' && s.length === 3) return [1, s[2] as number, s[0] as number, s[1] as number];
  return [1, ...s];
}

/** Absolute path of the export's TF.js Layers model.json (for the latency prediction), or null without one. */
export async function findLayersEntry(exportDir: string): Promise<string | null> {
  const root = resolve(exportDir);
  const manifest = await readManifest(root);
  const layers = manifest.formats.find((f) => f.format === 'tfjs');
  if (!layers) return null;
  return (await resolveInside(root, layers.entry, join(root, 'manifest.json'))) ?? null;
}
