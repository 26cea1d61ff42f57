// Types of the export stage: options, per-format results and the serializable ExportResult (also manifest.json).
import type { Logger } from '../core/logger.ts';
import type { ParityFigures, Precision } from './parity.ts';
import type { CalibrationMethod } from './calibrate-int8.ts';

/** Export formats. */
export const EXPORT_FORMATS = ['tfjs', 'tfjs-graph', 'onnx'] as const;

/** One export format: TF.js Layers model, TF.js graph model, ONNX. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Options of `exportBundle`. */
export interface ExportOptions {
  formats: ExportFormat[];
  /**
   * Weight storage of every format: float32, float16 or uint8. Default: the source's encoding as the
   * bundle records it (`sourceEncoding`: a uint8-quantized source stays uint8).
   */
  weights?: 'float32' | 'float16' | 'uint8';
  /**
   * float16/uint8: the same as `weights`. int8: the ONNX export is statically quantized in QDQ form
   * (int8 per-channel weights, uint8 activations calibrated on `calibration.images`), so onnxruntime
   * runs integer kernels; the TF.js formats keep their weight encoding (tfjs has no integer kernels).
   */
  quantize?: 'float16' | 'uint8' | 'int8';
  /**
   * With `quantize: 'int8'`: keep the float ONNX export at onnx/model.onnx and write the int8 one beside it
   * at onnx-int8/model.onnx; an int8 export below its agreement floor (or failing to build) is left out and
   * listed in `dropped` instead of failing the whole export. Default false: int8 replaces the float ONNX.
   */
  int8Alongside?: boolean;
  /** Calibration of `quantize: 'int8'`: the images (up to 256 by default) and how ranges are read. */
  calibration?: { images: ParityImages; method?: CalibrationMethod; percentile?: number };
  /** ONNX: fold BatchNormalization into the preceding layer (the graph model always folds). */
  foldBn?: boolean;
  /** ONNX image input/output layout: `nchw` (default) or `nhwc`. */
  layout?: 'nchw' | 'nhwc';
  /** Output folder; replaced whole, and only if empty or a previous edge-prune export. */
  outDir: string;
  logger?: Logger;
  /** Seed of the parity inputs (default 1). */
  seed?: number;
  /** Number of seeded samples in the parity batch (default 16). */
  samples?: number;
  /** Data images (normalized model inputs) also compared, with their labels when known: agreement and top-1 accuracy. */
  images?: ParityImages;
}

/** Normalized images for the parity check (at most 256 are used). */
export interface ParityImages {
  /** `count × H × W × C` model inputs, channels-last. */
  data: Float32Array;
  count: number;
  /** Class of each image, or undefined for unlabelled images. */
  labels?: Int32Array;
  /** Where the images came from (for the record). */
  source: string;
}

/** One file of an export, relative to the output folder. */
export interface ExportedFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** What one format produced. */
export interface FormatResult {
  format: ExportFormat;
  /** Main file, relative to the output folder (model.json or model.onnx). */
  entry: string;
  files: ExportedFile[];
  totalBytes: number;
  /** Bytes of weight storage (shards or initializers). */
  weightBytes: number;
  precision: Precision;
  /** ONNX only. */
  opset?: number;
  /** ONNX only: image layout of inputs and outputs. */
  layout?: 'nchw' | 'nhwc';
  /** Layers whose BatchNormalization was folded in (tfjs-graph always, onnx with foldBn). */
  foldedBatchNorm: number;
  /** Graph op counts (tfjs-graph, onnx). */
  ops?: Record<string, number>;
  parity: ParityFigures;
  exportMs: number;
  parityMs: number;
}

/** The serializable result of an export; manifest.json holds the same facts with paths relative to it. */
export interface ExportResult {
  version: 1;
  producer: 'edge-prune';
  outDir: string;
  inputShape: number[];
  outputShapes: number[][];
  /** The coarsest weight storage of the formats. */
  quantization: Precision;
  /** Where the weight storage came from: the source's encoding kept, or an override. */
  encoding: { source: string; written: string; chosenBy: 'source' | 'option' };
  formats: FormatResult[];
  totalBytes: number;
  /** Time of the source forward pass the exports were compared with. */
  referenceMs: number;
  /** Exports built but not delivered (`int8Alongside`: the int8 ONNX below its floor), with why. */
  dropped?: DroppedExport[];
}

/** An export that was built and checked but not delivered. */
export interface DroppedExport {
  format: ExportFormat;
  precision: Precision;
  /** Why it was left out (the floor it missed, or the error that stopped it). */
  reason: string;
  /** Its parity figures when it got as far as running (agreement and accuracy on the images). */
  parity?: ParityFigures;
}
