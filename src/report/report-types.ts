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
  /** Bytes on disk of the source and of every written model, with larger-than-source warnings. */
  size?: SizeFigures;
  outDir: string;
  notes: string[];
  timings: { stage: string; seconds: number }[];
}
