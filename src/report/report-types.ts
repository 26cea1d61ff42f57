// The Report: everything a run measured, serializable, as written to report.json and rendered to HTML.

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
  accuracy: { before: number | null; after: number | null; data: string | null; n: number | null };
  latency: { predictedMs: number; predictedBeforeMs: number; measured: MeasuredLatency[] };
  budgets: BudgetVerdict[];
  budgetsMet: boolean;
  rounds: RoundPoint[];
  layers: LayerRow[];
  exports: { format: string; path: string; bytes: number }[];
  outDir: string;
  notes: string[];
  timings: { stage: string; seconds: number }[];
}
