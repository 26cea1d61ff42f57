// The main flow's verify stage: measure the planned export on the target's runtime, and the int8 ONNX beside it when one was written.
import type { Graph } from './core/types.ts';
import type { Logger } from './core/logger.ts';
import type { ExportResult } from './export/types.ts';
import type { LoadedTarget } from './targets/load-targets.ts';
import type { MeasuredLatency } from './report/report-types.ts';

/** What the verify stage measured; `notes` say what could not be measured and why. */
export interface VerifyStageResult {
  measured: MeasuredLatency[];
  int8?: MeasuredLatency;
  notes: string[];
}

/**
 * Measure the exported model by `method` (nothing when `none`). A failed measurement is a note, and the
 * latency verdict falls back to the prediction; the int8 ONNX (`int8Entry`) is measured beside the planned
 * model when the measured runtime loads ONNX, and the verdict stays about the planned model.
 */
export async function verifyStage(
  exported: ExportResult,
  options: { target: LoadedTarget; method: 'local' | 'emulated' | 'device' | 'none'; graph: Graph; budgetMs: number; int8Entry?: string; logger: Logger },
): Promise<VerifyStageResult> {
  const { target, method, budgetMs, logger } = options;
  const result: VerifyStageResult = { measured: [], notes: [] };
  if (method === 'none') return result;
  const { verifyExport } = await import('./verify/verify-export.ts');
  try {
    const m = await verifyExport(exported, { target, method, graph: options.graph, budgetMs, logger });
    result.measured.push({ method: m.method, runtime: m.runtime, medianMs: m.medianMs, p90Ms: m.p90Ms, label: m.label, pass: m.pass, model: `${m.model.file} (${m.model.format})` });
    if (options.int8Entry && m.model.format === 'onnx') {
      try {
        const q = await verifyExport(exported, { target, method, entry: options.int8Entry, budgetMs, logger });
        result.int8 = { method: q.method, runtime: q.runtime, medianMs: q.medianMs, p90Ms: q.p90Ms, label: q.label, pass: q.pass, model: `${q.model.file} (int8)` };
      } catch (error) {
        result.notes.push(`Measuring the int8 ONNX by ${method} failed (${error instanceof Error ? error.message : String(error)}).`);
      }
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    result.notes.push(`Measuring by ${method} failed (${message}); the latency verdict falls back to the prediction.`);
    logger.warn(`verify (${method}) failed: ${message}`);
  }
  return result;
}
