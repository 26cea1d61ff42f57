// The export stage: TF.js Layers, TF.js graph and ONNX bundles, each loaded back and parity-checked, written atomically.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgePruneError, fail } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import type { Graph, ModelBundle } from '../core/types.ts';
import { buildGraph } from '../analyze/graph.ts';
import { predictOutputs } from '../runtime/layers-model.ts';
import { MANIFEST_FILE, writeFolderAtomically } from './atomic-dir.ts';
import { exportOnnx, exportTfjs, exportTfjsGraph, type FormatJob } from './formats.ts';
import { GRAPH_EMITTERS } from './graph-emitters.ts';
import { findEmitter } from './onnx-emitters.ts';
import { createSeededInput } from './parity.ts';
import { describeEncoding, sourceEncoding, WEIGHTS_CHOICES } from '../bundle/encoding.ts';
import { INT8_MIN_AGREEMENT, type Precision } from './parity.ts';
import { EXPORT_FORMATS, type DroppedExport, type ExportFormat, type ExportOptions, type ExportResult, type FormatResult } from './types.ts';

/** Sub-folder of the int8 ONNX written beside the float one (`int8Alongside`). */
export const INT8_ONNX_DIR = 'onnx-int8';

/** Most data images in the parity batch. */
export const MAX_PARITY_IMAGES = 256;

const WRITERS: Record<ExportFormat, (job: FormatJob) => Promise<FormatResult>> = {
  tfjs: exportTfjs,
  'tfjs-graph': exportTfjsGraph,
  onnx: exportOnnx,
};

/** Reject bad options before any work. */
function checkOptions(options: ExportOptions): void {
  const bad = (field: string, expected: string, found: unknown): never =>
    fail('INVALID_ARGUMENT', { expected, found: JSON.stringify(found) ?? String(found), where: `export option ${field}`, hint: 'see edge-prune export --help' });
  if (!Array.isArray(options.formats) || options.formats.length === 0) bad('formats', `one or more of ${EXPORT_FORMATS.join(', ')}`, options.formats);
  for (const f of options.formats) if (!EXPORT_FORMATS.includes(f)) bad('formats', `one of ${EXPORT_FORMATS.join(', ')}`, f);
  if (options.quantize !== undefined && !['float16', 'uint8', 'int8'].includes(options.quantize)) bad('quantize', 'float16, uint8 or int8', options.quantize);
  if (options.weights !== undefined && !(WEIGHTS_CHOICES as readonly string[]).includes(options.weights)) bad('weights', WEIGHTS_CHOICES.join(', '), options.weights);
  if (options.weights !== undefined && options.quantize !== undefined && options.quantize !== 'int8' && options.weights !== options.quantize) bad('quantize', `the same encoding as weights (${options.weights})`, options.quantize);
  if (options.quantize === 'int8' && !options.formats.includes('onnx')) bad('formats', 'onnx among the formats with --quantize int8 (int8 kernels exist in onnxruntime only)', options.formats);
  if (options.int8Alongside === true && options.quantize !== 'int8') bad('int8Alongside', "quantize: 'int8' with int8Alongside", options.quantize);
  if (options.quantize === 'int8' && !(options.calibration && options.calibration.images.count >= 1)) bad('calibration', 'calibration images (--data <dir>) for --quantize int8', 'none');
  if (options.calibration?.method !== undefined && !['minmax', 'percentile'].includes(options.calibration.method)) bad('calibration.method', 'minmax or percentile', options.calibration.method);
  if (options.calibration?.percentile !== undefined && !(options.calibration.percentile > 50 && options.calibration.percentile <= 100)) bad('calibration.percentile', 'a number in (50, 100]', options.calibration.percentile);
  if (options.layout !== undefined && options.layout !== 'nchw' && options.layout !== 'nhwc') bad('layout', 'nchw or nhwc', options.layout);
  if (typeof options.outDir !== 'string' || options.outDir === '') bad('outDir', 'an output folder path', options.outDir);
  if (options.samples !== undefined && !(Number.isInteger(options.samples) && options.samples >= 1 && options.samples <= 64)) bad('samples', 'an integer in [1, 64]', options.samples);
  if (options.images !== undefined && !(options.images.count >= 1 && options.images.data instanceof Float32Array)) bad('images', 'a batch of one or more normalized images', options.images.count);
}

/** Every layer must have an emitter in each requested graph format; fail naming the first that has none. */
function checkEmitters(graph: Graph, formats: readonly ExportFormat[]): void {
  for (const node of graph.nodes) {
    if (node.className === 'InputLayer') continue;
    const missing = formats.includes('onnx') && !findEmitter(node.className) ? 'onnx'
      : formats.includes('tfjs-graph') && !Object.prototype.hasOwnProperty.call(GRAPH_EMITTERS, node.className) ? 'tfjs-graph' : undefined;
    if (missing) {
      fail('UNSUPPORTED_LAYER', {
        expected: `a layer class the ${missing} exporter supports`,
        found: `class "${node.className}"`,
        where: `layer "${node.name}"`,
        hint: `export without ${missing}, or add an emitter for ${node.className}`,
      });
    }
  }
}

/**
 * Export a bundle in the requested formats into `outDir`. Each export is loaded back in its own runtime
 * (tfjs for both TF.js forms, onnxruntime-node for ONNX) and compared with the source model's tfjs
 * output on the same seeded inputs; beyond the stated tolerance the export fails with PARITY_FAILED and
 * nothing is written. The folder is filled under a temporary name and renamed into place, with a
 * manifest.json holding the returned facts.
 */
export async function exportBundle(bundle: ModelBundle, options: ExportOptions): Promise<ExportResult> {
  checkOptions(options);
  const logger = options.logger ?? silentLogger;
  const formats = EXPORT_FORMATS.filter((f) => options.formats.includes(f));
  const graph = buildGraph(bundle);
  checkEmitters(graph, formats);
  if (graph.inputs.length !== 1) {
    fail('INVALID_MODEL', { expected: 'a model with one input', found: `${graph.inputs.length} inputs`, where: 'model topology', hint: 'export supports single-input models' });
  }
  const inputNode = graph.nodes.find((n) => n.name === graph.inputs[0]);
  const samples = options.samples ?? 16;
  const seed = options.seed ?? 1;
  const imageShape = inputNode?.outputShape ?? [];
  const perImage = imageShape.reduce((a, b) => a * b, 1);
  // int8 is judged on images: the held-out ones when given, else the calibration images.
  const parityImages = options.images ?? (options.quantize === 'int8' ? options.calibration?.images : undefined);
  const images = parityImages ? Math.min(MAX_PARITY_IMAGES, parityImages.count) : 0;
  const inputShape = [samples + images, ...imageShape];
  const input = new Float32Array(perImage * (samples + images));
  input.set(createSeededInput(samples * perImage, seed));
  if (parityImages) input.set(parityImages.data.subarray(0, images * perImage), samples * perImage);
  const t0 = performance.now();
  const reference = await predictOutputs(bundle, input, inputShape);
  const referenceMs = performance.now() - t0;
  const source = sourceEncoding(bundle);
  const override = options.weights ?? (options.quantize === 'int8' ? undefined : options.quantize);
  const encoding = override ?? source;
  const chosen = { source: describeEncoding(source, bundle.weights), written: describeEncoding(encoding, bundle.weights), chosenBy: override ? ('option' as const) : ('source' as const) };
  const weights = new Map(bundle.weights.map((w) => [w.name, w]));
  const alongside = options.int8Alongside === true;
  const int8 = options.quantize === 'int8' && options.calibration
    ? { images: options.calibration.images, method: options.calibration.method ?? 'minmax', ...(options.calibration.percentile !== undefined ? { percentile: options.calibration.percentile } : {}) }
    : undefined;
  const dropped: DroppedExport[] = [];
  const results = await writeFolderAtomically(options.outDir, async (root) => {
    const done: FormatResult[] = [];
    const jobOf = (): FormatJob => ({
      bundle, graph, weights, root, encoding, foldBn: options.foldBn === true, layout: options.layout ?? 'nchw', input, inputShape, reference, seed, seeded: samples,
      ...(parityImages && images > 0 ? { images: { n: images, source: parityImages.source, ...(parityImages.labels ? { labels: parityImages.labels.subarray(0, images) } : {}) } } : {}),
    });
    for (const [i, format] of formats.entries()) {
      logger.progress({ task: 'export', done: i, total: formats.length, detail: format });
      const job = jobOf();
      if (format === 'onnx' && int8 && !alongside) job.int8 = int8;
      const r = await WRITERS[format](job);
      logger.info(`${format}: ${(r.totalBytes / 1e6).toFixed(2)} MB, max |diff| ${r.parity.maxAbsDiff.toExponential(2)} (tolerance ${r.parity.tolerance.toExponential(2)})`);
      done.push(r);
    }
    if (int8 && alongside) {
      const r = await exportInt8Beside({ ...jobOf(), int8, sub: INT8_ONNX_DIR, soft: true });
      if ('reason' in r) {
        logger.warn(`int8 ONNX dropped: ${r.reason}`);
        dropped.push(r);
      } else {
        logger.info(`onnx int8: ${(r.totalBytes / 1e6).toFixed(2)} MB, top-1 agreement ${(100 * (r.parity.images?.top1Agreement ?? r.parity.top1Agreement)).toFixed(1)}%`);
        done.push(r);
      }
    }
    logger.progress({ task: 'export', done: formats.length, total: formats.length });
    const manifest = buildManifest(done, inputShape.slice(1), graph, chosen, referenceMs, dropped);
    await writeFile(join(root, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    return done;
  });
  return { ...buildManifest(results, inputShape.slice(1), graph, chosen, referenceMs, dropped), outDir: options.outDir };
}

/**
 * The int8 ONNX beside the float one: its result when its top-1 agreement with the source on the
 * images reaches INT8_MIN_AGREEMENT, else (or when building it fails) its files removed and why.
 */
async function exportInt8Beside(job: FormatJob): Promise<FormatResult | DroppedExport> {
  const remove = (): Promise<void> => rm(join(job.root, job.sub ?? 'onnx'), { recursive: true, force: true });
  try {
    const r = await exportOnnx(job);
    const im = r.parity.images;
    if (!im || im.passed) return r;
    await remove();
    return { format: 'onnx', precision: 'int8', reason: `top-1 agreement with the float model ${(100 * im.top1Agreement).toFixed(1)}% on ${im.n} images of ${im.source} is below the floor ${(100 * INT8_MIN_AGREEMENT).toFixed(0)}%`, parity: r.parity };
  } catch (error) {
    if (!(error instanceof EdgePruneError)) throw error;
    await remove();
    return { format: 'onnx', precision: 'int8', reason: `it could not be built: ${error.message}` };
  }
}

/** The manifest facts (everything but the absolute output folder). */
function buildManifest(formats: FormatResult[], inputShape: number[], graph: Graph, encoding: ExportResult['encoding'], referenceMs: number, dropped: DroppedExport[] = []): Omit<ExportResult, 'outDir'> {
  const outputShapes = graph.outputs.map((o) => graph.nodes.find((n) => n.name === o)?.outputShape ?? []);
  const order: Precision[] = ['float32', 'float16', 'uint16', 'uint8', 'int8'];
  const quantization = formats.reduce<Precision>((worst, f) => (order.indexOf(f.precision) > order.indexOf(worst) ? f.precision : worst), 'float32');
  return { version: 1, producer: 'edge-prune', inputShape, outputShapes, quantization, encoding, formats, totalBytes: formats.reduce((n, f) => n + f.totalBytes, 0), referenceMs, ...(dropped.length ? { dropped } : {}) };
}
