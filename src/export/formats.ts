// One writer per export format: build the files, write them, load them back in their runtime, check parity.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Graph, JsonObject, ModelBundle, WeightEntry } from '../core/types.ts';
import { serializeBundle } from '../bundle/write-bundle.ts';
import { coarsestEncoding, dominantEncoding, type EncodingSpec } from '../bundle/encoding.ts';
import { predictGraphModelFromDisk, predictLayersModelFromDisk } from '../runtime/graph-model.ts';
import { ensureBackend } from '../runtime/layers-model.ts';
import { createOnnxSession } from '../runtime/onnx-session.ts';
import { foldBatchNorm } from './fold-bn.ts';
import { buildGraphModel } from './graph-model.ts';
import { buildOnnxModel } from './onnx-graph.ts';
import { ONNX_META_CLASSES, ONNX_META_NORMALIZATION } from './onnx-meta.ts';
import { readClassNames, readNormalization } from '../data/normalization.ts';
import { readSourceNames } from './source-names.ts';
import { calibrateRanges, type CalibrationMethod } from './calibrate-int8.ts';
import { quantizeModelInt8 } from './onnx-int8.ts';
import { encodeModel } from './onnx-tensors.ts';
import type { ParityImages } from './types.ts';
import { assertParity, compareOutputs, INT8_MIN_AGREEMENT, sliceRows, top1Accuracy, convertNchwToNhwc, convertNhwcToNchw, type ParityFigures, type Precision } from './parity.ts';
import type { ExportedFile, ExportFormat, FormatResult } from './types.ts';

/** Everything a format writer needs. */
export interface FormatJob {
  bundle: ModelBundle;
  graph: Graph;
  weights: ReadonlyMap<string, WeightEntry>;
  /** Temporary output folder (the whole export). */
  root: string;
  /** Weight storage: one encoding, or one per weight (the Layers model keeps it; folded formats use the dominant one). */
  encoding: EncodingSpec;
  foldBn: boolean;
  layout: 'nchw' | 'nhwc';
  /** Seeded channels-last input batch and its shape [N, ...]. */
  input: Float32Array;
  inputShape: number[];
  /** Source outputs on `input`, channels-last. */
  reference: Float32Array[];
  seed: number;
  /** The first `seeded` rows of `input` are seeded noise; the rest are data images. */
  seeded: number;
  images?: { n: number; source: string; labels?: Int32Array };
  /** ONNX only: static int8 QDQ quantization calibrated on these images. */
  int8?: { images: ParityImages; method: CalibrationMethod; percentile?: number };
  /** Sub-folder of the files (default: the format's name, e.g. `onnx`). */
  sub?: string;
  /** Return parity figures that miss their bound (`passed: false`) instead of throwing PARITY_FAILED. */
  soft?: boolean;
}

/** Write files under `<root>/<sub>` and describe them (paths relative to root). */
async function writeFiles(root: string, sub: string, files: { name: string; bytes: Uint8Array | string }[]): Promise<ExportedFile[]> {
  await mkdir(join(root, sub), { recursive: true });
  const out: ExportedFile[] = [];
  for (const f of files) {
    const bytes = typeof f.bytes === 'string' ? Buffer.from(f.bytes) : f.bytes;
    await writeFile(join(root, sub, f.name), bytes);
    out.push({ path: `${sub}/${f.name}`, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return out;
}

/** Parity of outputs (channels-last) against the job's reference; throws PARITY_FAILED beyond tolerance. */
function checkParity(job: FormatJob, format: ExportFormat, runtime: string, outputs: Float32Array[], precision: Precision): ParityFigures {
  const figures = parityFigures(job, runtime, outputs, precision);
  if (!job.soft) assertParity(figures, format);
  return figures;
}

/**
 * Parity figures of an export's outputs on the job's batch: the seeded rows, and the data images
 * apart (agreement, and top-1 accuracy of source and export on their labels). Outputs ending in
 * Softmax are compared as centred logits.
 */
export function parityFigures(job: FormatJob, runtime: string, outputs: Float32Array[], precision: Precision): ParityFigures {
  const nodes = job.graph.outputs.map((o) => job.graph.nodes.find((n) => n.name === o));
  const lastAxis = nodes.map((n) => n?.outputShape.at(-1) ?? 1);
  const softmax = nodes.map((n) => n?.className === 'Softmax' || n?.config['activation'] === 'softmax');
  const total = job.inputShape[0] as number;
  const rows = (list: Float32Array[], from: number, to: number): Float32Array[] => list.map((t) => sliceRows(t, total, from, to));
  const options = { precision, runtime, seed: job.seed, lastAxis, softmax };
  const figures = compareOutputs(rows(job.reference, 0, job.seeded), rows(outputs, 0, job.seeded), { ...options, samples: job.seeded });
  if (!job.images) return figures;
  const im = compareOutputs(rows(job.reference, job.seeded, total), rows(outputs, job.seeded, total), { ...options, samples: job.images.n });
  const labels = job.images.labels;
  const width = lastAxis[0] ?? 1;
  const accuracy = labels ? { source: top1Accuracy(sliceRows(job.reference[0] as Float32Array, total, job.seeded, total), width, labels), export: top1Accuracy(sliceRows(outputs[0] as Float32Array, total, job.seeded, total), width, labels) } : null;
  const passed = precision === 'int8' ? im.top1Agreement >= INT8_MIN_AGREEMENT : im.passed;
  figures.images = { n: job.images.n, source: job.images.source, top1Agreement: im.top1Agreement, maxAbsDiff: im.maxAbsDiff, meanAbsDiff: im.meanAbsDiff, accuracy, passed };
  return figures;
}

/** Assemble a FormatResult. */
function makeResult(format: ExportFormat, entry: string, files: ExportedFile[], weightBytes: number, precision: Precision, rest: Partial<FormatResult> & { parity: ParityFigures; exportMs: number; parityMs: number }): FormatResult {
  return { format, entry, files, totalBytes: files.reduce((n, f) => n + f.bytes, 0), weightBytes, precision, foldedBatchNorm: 0, ...rest };
}

/** TF.js Layers model: model.json + ≤ 4 MB shards (optionally quantized), checked with tf.loadLayersModel. */
export async function exportTfjs(job: FormatJob): Promise<FormatResult> {
  const t0 = performance.now();
  const { modelJson, shards } = serializeBundle(job.bundle, { weights: job.encoding });
  const precision = coarsestEncoding(job.encoding, job.bundle.weights);
  const files = await writeFiles(job.root, 'tfjs', [...shards, { name: 'model.json', bytes: `${JSON.stringify(modelJson)}\n` }]);
  const t1 = performance.now();
  const outputs = await predictLayersModelFromDisk(join(job.root, 'tfjs/model.json'), job.input, job.inputShape);
  const parity = checkParity(job, 'tfjs', `tfjs-${await ensureBackend()} loadLayersModel`, outputs, precision);
  const weightBytes = shards.reduce((n, s) => n + s.bytes.byteLength, 0);
  return makeResult('tfjs', 'tfjs/model.json', files, weightBytes, precision, { parity, exportMs: t1 - t0, parityMs: performance.now() - t1 });
}

/** TF.js graph model with BatchNormalization folded, checked with tfjs-converter's loadGraphModel. */
export async function exportTfjsGraph(job: FormatJob): Promise<FormatResult> {
  const t0 = performance.now();
  const folded = foldBatchNorm(job.graph, job.weights);
  const precision = dominantEncoding(job.encoding, job.bundle.weights);
  const built = buildGraphModel(folded.graph, folded.weights, { encoding: precision });
  const files = await writeFiles(job.root, 'tfjs-graph', [...built.shards, { name: 'model.json', bytes: `${JSON.stringify(built.modelJson)}\n` }]);
  const t1 = performance.now();
  const outputs = await predictGraphModelFromDisk(join(job.root, 'tfjs-graph/model.json'), job.input, job.inputShape);
  const parity = checkParity(job, 'tfjs-graph', `tfjs-${await ensureBackend()} loadGraphModel`, outputs, precision);
  const weightBytes = built.shards.reduce((n, s) => n + s.bytes.byteLength, 0);
  return makeResult('tfjs-graph', 'tfjs-graph/model.json', files, weightBytes, precision, {
    parity, exportMs: t1 - t0, parityMs: performance.now() - t1, foldedBatchNorm: folded.folded.length, ops: built.ops,
  });
}

/** ONNX model (NCHW by default), checked with onnxruntime-node. */
export async function exportOnnx(job: FormatJob): Promise<FormatResult> {
  const t0 = performance.now();
  // int8 folds BatchNormalization so every conv carries its own bias (onnxruntime has no integer BatchNormalization).
  const source = job.foldBn || job.int8 ? foldBatchNorm(job.graph, job.weights) : { graph: job.graph, weights: job.weights, folded: [] };
  const dominant = dominantEncoding(job.encoding, job.bundle.weights);
  // ONNX has no uint16 DequantizeLinear before opset 21: a uint16 source is stored as float16 (the same size).
  const precision: Precision = job.int8 ? 'int8' : dominant === 'uint16' ? 'float16' : dominant;
  const built = buildOnnxModel(source.graph, source.weights, { layout: job.layout, storage: job.int8 ? 'float32' : (precision as 'float32' | 'float16' | 'uint8'), name: readModelName(job.bundle), names: readSourceNames(job.bundle), metadata: readOnnxMetadata(job.bundle) });
  if (job.int8) {
    const io = built.inputs[0] as (typeof built.inputs)[number];
    const ranges = await calibrateRanges(built.model, { name: io.name, nchw: io.nchw, shape: job.inputShape.slice(1) }, job.int8.images, { method: job.int8.method, ...(job.int8.percentile !== undefined ? { percentile: job.int8.percentile } : {}) });
    built.model = quantizeModelInt8(built.model, ranges);
    built.bytes = encodeModel(built.model);
  }
  const sub = job.sub ?? 'onnx';
  const files = await writeFiles(job.root, sub, [{ name: 'model.onnx', bytes: built.bytes }]);
  const t1 = performance.now();
  const session = await createOnnxSession(join(job.root, sub, 'model.onnx'));
  let outputs: Float32Array[];
  try {
    const io = built.inputs[0];
    const [n, ...rest] = job.inputShape as [number, ...number[]];
    const data = io?.nchw ? convertNhwcToNchw(job.input, job.inputShape) : job.input;
    const dims = io?.nchw ? [n, rest[2] as number, rest[0] as number, rest[1] as number] : job.inputShape;
    const ran = await session.run({ [io?.name ?? '']: { data, dims } });
    outputs = built.outputs.map((o) => {
      const t = ran[o.name]?.data ?? new Float32Array(0);
      return o.nchw ? convertNchwToNhwc(t, [n, ...o.kerasShape]) : t;
    });
  } finally {
    await session.release();
  }
  const parity = checkParity(job, 'onnx', 'onnxruntime-node', outputs, precision);
  const ops: Record<string, number> = {};
  for (const node of built.model.graph?.node ?? []) ops[node.opType as string] = (ops[node.opType as string] ?? 0) + 1;
  const weightBytes = (built.model.graph?.initializer ?? []).reduce((sum, t) => sum + (t.rawData?.byteLength ?? 0), 0);
  return makeResult('onnx', `${sub}/model.onnx`, files, weightBytes, precision, {
    parity, exportMs: t1 - t0, parityMs: performance.now() - t1, opset: built.opset, layout: job.layout, foldedBatchNorm: source.folded.length, ops,
  });
}

/** The bundle's input normalization and class names as ONNX `metadata_props` (so an import of the file preprocesses alike). */
function readOnnxMetadata(bundle: ModelBundle): Record<string, string> {
  const metadata: Record<string, string> = {};
  const normalization = readNormalization(bundle);
  if (normalization) metadata[ONNX_META_NORMALIZATION] = JSON.stringify(normalization);
  const classes = readClassNames(bundle);
  if (classes) metadata[ONNX_META_CLASSES] = JSON.stringify(classes);
  return metadata;
}

/** The model's name from its topology, for the ONNX graph name. */
function readModelName(bundle: ModelBundle): string {
  const topology = bundle.topology as { model_config?: { config?: JsonObject }; config?: JsonObject };
  const name = topology.model_config?.config?.['name'] ?? topology.config?.['name'];
  return typeof name === 'string' ? name : 'model';
}
