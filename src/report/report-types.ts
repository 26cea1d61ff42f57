// The Report: everything a run measured, serializable, as written to report.json and rendered to HTML.
import type { SizeFigures } from '../bundle/disk-size.ts';


/** One latency measurement as the verify stage labels it. */
export interface MeasuredLatency {
  /** local | emulated | device */
  method: string;
  runtime: string;
  medianMs: number;
  p90Ms?: number;
  /** Plain words on how it was obtained (e.g. "emulated: headless Chromium, CPU ×4.7, not the device"). */
  label?: string;
  pass?: boolean;
  /** The measured file and its format (e.g. `onnx/model.onnx (onnx)`): which model the figure is about. */
  model?: string;
}

/** One row of the per-layer table. */
export interface LayerRow {
  name: string;
  className: string;
  channelsBefore: number;
  channelsAfter: number;
  macsBefore: number;
  macsAfter: number;
  paramsBefore: number;
  paramsAfter: number;
  predictedMsBefore: number;
  predictedMsAfter: number;
  measuredMs?: number;
}

/** One search round, for the accuracy-vs-latency plot. */
export interface RoundPoint {
  round: number;
  latencyMs: number;
  quality: number;
  group: string;
  keep: number;
}

/** A budget compared with the figure that must fit it. */
export interface BudgetVerdict {
  budget: 'latencyMs' | 'memoryMb' | 'modelSizeMb' | 'accuracyDrop';
  limit: number;
  value: number;
  /** Where the value came from: predicted, or the measurement method. */
  basis: string;
  ok: boolean;
  /** Shown for comparison only (the predicted latency when a measurement decides the verdict). */
  informational?: boolean;
  /** What met it: `pruning`, `uint8 weights`, `pruning + float16 weights`, `already met` (the search's attribution). */
  metBy?: string;
}

/** Agreement with the unpruned model, where labels are missing. */
export interface AgreementFigures {
  /** `top-1 agreement` on images, `logit cosine` on seeded noise inputs. */
  measure: string;
  /** What it was measured on. */
  on: string;
  n: number | null;
  /** After pruning (and BN re-estimation), before fine-tuning. */
  beforeFinetune: number | null;
  /** Of the delivered model. */
  after: number | null;
}

/** Top-1 accuracy through the run: unpruned, right after pruning, after reconstruction, delivered (null when not measured). */
export interface AccuracyFigures {
  before: number | null;
  /** Right after pruning, BatchNorm statistics re-estimated (absent in older reports). */
  pruned?: number | null;
  /** Right after reconstruction (null when it did not run). */
  reconstructed?: number | null;
  after: number | null;
  data: string | null;
  n: number | null;
}

/** One quantized export beside the float32 ONNX: written or dropped, its accuracy and agreement, its measured latency. */
export interface QuantizedExport {
  encoding: 'int8';
  /** False when it missed its agreement floor (or could not be built): the float32 bundles were delivered alone. */
  written: boolean;
  /** Entry file relative to the export folder (null when dropped). */
  entry: string | null;
  /** Top-1 accuracy on the held-out images' labels (null when unlabelled). */
  top1: number | null;
  /** Top-1 agreement with the float32 model on the held-out images. */
  agreement: number | null;
  /** The agreement it had to reach to be written. */
  floor: number;
  /** Why it was dropped. */
  dropped?: string;
  /** Its latency measured beside the float32 model's (the verdict stays about the float32 model). */
  measured?: MeasuredLatency;
}

/** The float32 ONNX export and the quantized ones beside it, judged on the same held-out images. */
export interface QuantizedFigures {
  /** Top-1 accuracy of the float32 ONNX export on the held-out images (null when unlabelled or not judged). */
  float32Top1: number | null;
  /** The images both were judged on (null when none). */
  on: string | null;
  n: number | null;
  /** Images the int8 activations were calibrated on. */
  calibration: string | null;
  exports: QuantizedExport[];
  /** Why no quantized export was tried (absent when one was). */
  skipped?: string;
}

/** The run's report. */
export interface Report {
  tool: string;
  version: string;
  createdAt: string;
  model: string;
  target: string;
  runtime: string;
  profile: string;
  criterion: string;
  macs: { before: number; after: number };
  params: { before: number; after: number };
  modelSizeMb: { before: number; after: number };
  memoryMb: { before: number; after: number };
  accuracy: AccuracyFigures;
  /** True only when accuracy was measured on labelled images; false means nobody knows it. */
  accuracyChecked: boolean;
  /** Label-free agreement of the pruned model with the unpruned one (null when not measured). */
  agreement: AgreementFigures | null;
  /** Dense-prediction models (detectors, segmenters): each raw output's relative error to the unpruned model, before and after fine-tuning. */
  outputFidelity?: { name: string; relativeErrorBeforeFinetune: number | null; relativeErrorAfter: number | null }[];
  latency: { predictedMs: number; predictedBeforeMs: number; measured: MeasuredLatency[] };
  /**
   * Predicted speed-ups on the target: from deploying the folded bundle alone (Layers → deployed,
   * unpruned) and from pruning (deployed unpruned → deployed pruned).
   */
  speedup: { deployed: string; layersBeforeMs: number; deployedBeforeMs: number; deployedAfterMs: number; folding: number; pruning: number; total: number };
  /** The verdict line (budgets, and whether accuracy was checked). */
  verdict: string;
  budgets: BudgetVerdict[];
  budgetsMet: boolean;
  rounds: RoundPoint[];
  layers: LayerRow[];
  exports: { format: string; path: string; bytes: number }[];
  /** Quantized exports (int8 ONNX) beside the float32 ONNX: accuracy, agreement, measured latency; why none was written. */
  quantized?: QuantizedFigures;
  /** Bytes on disk of the source and of every written model, with larger-than-source warnings. */
  size?: SizeFigures;
  outDir: string;
  notes: string[];
  timings: { stage: string; seconds: number }[];
}
