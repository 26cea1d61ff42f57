// Assembles the Report from the stages' outputs: analyses before/after, predictions, search rounds, accuracy, measurements.
import type { SizeFigures } from '../bundle/disk-size.ts';
import type { Analysis } from '../analyze/analyze-model.ts';
import type { LatencyPrediction } from '../latency/latency-model.ts';
import type { Resources } from '../targets/budget.ts';
import type { HistoryRound } from '../search/history.ts';
import type { AccuracyFigures, AgreementFigures, BudgetVerdict, LayerRow, MeasuredLatency, Report } from './report-types.ts';
import { verdictLine } from './verdict.ts';

/** Everything the report is built from. */
export interface ReportInputs {
  model: string;
  target: string;
  runtime: string;
  profile: string;
  criterion: string;
  before: Analysis;
  after: Analysis;
  predictedBefore: LatencyPrediction;
  predictedAfter: LatencyPrediction;
  resourcesBefore: Resources;
  resourcesAfter: Resources;
  budget: { latencyMs?: number; memoryMb?: number; modelSizeMb?: number; maxAccuracyDrop?: number };
  rounds: HistoryRound[];
  accuracy: AccuracyFigures;
  agreement?: AgreementFigures | null;
  /** The deployed bundle and the unpruned model's predicted latency as a Layers bundle. */
  deployed: string;
  layersBeforeMs: number;
  measured: MeasuredLatency[];
  /** Per-layer measured ms where a profiler gave them (by layer name). */
  measuredLayers?: Record<string, number>;
  exports: { format: string; path: string; bytes: number }[];
  size?: SizeFigures;
  /** What met each resource budget (the search's attribution: pruning, the plan's encoding, or both). */
  metBy?: Partial<Record<'latencyMs' | 'memoryMb' | 'modelSizeMb', string>>;
  outDir: string;
  notes: string[];
  timings: { stage: string; seconds: number }[];
  version: string;
}

/** Output channels of a layer (last axis of its output shape). */
const channelsOf = (shape: readonly number[]): number => shape[shape.length - 1] ?? 0;

/** Per-layer rows, matched by layer name. */
function layerRows(inputs: ReportInputs): LayerRow[] {
  const after = new Map(inputs.after.cost.layers.map((l) => [l.name, l]));
  const msBefore = new Map(inputs.predictedBefore.layers.map((l) => [l.name, l.ms]));
  const msAfter = new Map(inputs.predictedAfter.layers.map((l) => [l.name, l.ms]));
  return inputs.before.cost.layers.map((l) => {
    const a = after.get(l.name);
    const row: LayerRow = {
      name: l.name,
      className: l.className,
      channelsBefore: channelsOf(l.outputShape),
      channelsAfter: a ? channelsOf(a.outputShape) : 0,
      macsBefore: l.macs,
      macsAfter: a?.macs ?? 0,
      paramsBefore: l.params,
      paramsAfter: a?.params ?? 0,
      predictedMsBefore: msBefore.get(l.name) ?? 0,
      predictedMsAfter: msAfter.get(l.name) ?? 0,
    };
    const measured = inputs.measuredLayers?.[l.name];
    if (measured !== undefined) row.measuredMs = measured;
    return row;
  });
}

/** Budget verdicts: latency from the first measurement when there is one (else predicted), memory and size predicted. */
function verdicts(inputs: ReportInputs): BudgetVerdict[] {
  const out: BudgetVerdict[] = [];
  const measured = inputs.measured[0];
  if (inputs.budget.latencyMs !== undefined) {
    const value = measured?.medianMs ?? inputs.resourcesAfter.latencyMs;
    out.push({ budget: 'latencyMs', limit: inputs.budget.latencyMs, value, basis: measured ? `measured (${measured.method}${measured.model ? `, ${measured.model}` : ''})` : 'predicted', ok: value <= inputs.budget.latencyMs });
    if (measured) out.push({ budget: 'latencyMs', limit: inputs.budget.latencyMs, value: inputs.resourcesAfter.latencyMs, basis: 'predicted', ok: inputs.resourcesAfter.latencyMs <= inputs.budget.latencyMs, informational: true });
  }
  for (const key of ['memoryMb', 'modelSizeMb'] as const) {
    const limit = inputs.budget[key];
    if (limit !== undefined) out.push({ budget: key, limit, value: inputs.resourcesAfter[key], basis: 'predicted', ok: inputs.resourcesAfter[key] <= limit });
  }
  for (const v of out) {
    const by = v.budget === 'accuracyDrop' || v.informational ? undefined : inputs.metBy?.[v.budget];
    if (by) v.metBy = by;
  }
  const { before, after } = inputs.accuracy;
  if (inputs.budget.maxAccuracyDrop !== undefined && before !== null && after !== null) {
    const drop = before - after;
    out.push({ budget: 'accuracyDrop', limit: inputs.budget.maxAccuracyDrop, value: drop, basis: `measured on ${inputs.accuracy.data}`, ok: drop <= inputs.budget.maxAccuracyDrop });
  }
  return out;
}

/** Build the report object (what report.json holds and `--json` prints). */
export function buildReport(inputs: ReportInputs): Report {
  const budgets = verdicts(inputs);
  const budgetsMet = budgets.filter((b) => !b.informational).every((b) => b.ok);
  const accuracyChecked = inputs.accuracy.before !== null && inputs.accuracy.after !== null;
  const agreement = inputs.agreement ?? null;
  const layersBeforeMs = inputs.layersBeforeMs;
  const deployedBeforeMs = inputs.predictedBefore.totalMs;
  const deployedAfterMs = inputs.predictedAfter.totalMs;
  return {
    tool: 'edge-prune',
    version: inputs.version,
    createdAt: new Date().toISOString(),
    model: inputs.model,
    target: inputs.target,
    runtime: inputs.runtime,
    profile: inputs.profile,
    criterion: inputs.criterion,
    macs: { before: inputs.before.cost.macs, after: inputs.after.cost.macs },
    params: { before: inputs.before.cost.params, after: inputs.after.cost.params },
    modelSizeMb: { before: inputs.resourcesBefore.modelSizeMb, after: inputs.resourcesAfter.modelSizeMb },
    memoryMb: { before: inputs.resourcesBefore.memoryMb, after: inputs.resourcesAfter.memoryMb },
    accuracy: inputs.accuracy,
    accuracyChecked,
    agreement,
    speedup: {
      deployed: inputs.deployed, layersBeforeMs, deployedBeforeMs, deployedAfterMs,
      folding: layersBeforeMs / deployedBeforeMs, pruning: deployedBeforeMs / deployedAfterMs, total: layersBeforeMs / deployedAfterMs,
    },
    verdict: verdictLine({ budgetsMet, accuracyChecked, agreement, accuracy: inputs.accuracy }),
    latency: { predictedMs: inputs.predictedAfter.totalMs, predictedBeforeMs: inputs.predictedBefore.totalMs, measured: inputs.measured },
    budgets,
    budgetsMet,
    rounds: inputs.rounds.map((r) => ({ round: r.round, latencyMs: r.predicted['latencyMs'] ?? 0, quality: r.quality, group: r.group, keep: r.keep })),
    layers: layerRows(inputs),
    exports: inputs.exports,
    ...(inputs.size ? { size: inputs.size } : {}),
    outDir: inputs.outDir,
    notes: inputs.notes,
    timings: inputs.timings,
  };
}
