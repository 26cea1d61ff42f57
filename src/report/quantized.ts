// The report's quantized-export figures: the float32 ONNX's and the int8 ONNX's top-1 on held-out images, their agreement, why int8 was dropped or skipped.
import type { ExportResult } from '../export/types.ts';
import { INT8_MIN_AGREEMENT } from '../export/parity.ts';
import type { Int8Decision } from '../export/int8-choice.ts';
import type { MeasuredLatency, QuantizedExport, QuantizedFigures } from './report-types.ts';

/** A run's notes on int8: why it was not written, or that it was dropped (with a warning to show). */
export function int8Notes(decision: Int8Decision, exported: Pick<ExportResult, 'dropped'>): { note: string; warn?: string }[] {
  if (!decision.write) return [{ note: `int8 ONNX not written: ${decision.reason}.` }];
  return (exported.dropped ?? []).map((d) => ({ note: `int8 ONNX dropped: ${d.reason}; the float32 bundles are delivered.`, warn: `the int8 ONNX was dropped: ${d.reason}; the float32 bundles are delivered` }));
}

/**
 * Figures of an export with `int8Alongside` (or of a run that skipped int8: `skipped` says why). The
 * float32 ONNX is the first ONNX that is not int8; the int8 one is written or listed as dropped.
 */
export function quantizedFigures(exported: Pick<ExportResult, 'formats' | 'dropped'>, options: { skipped?: string; calibration?: string; measured?: MeasuredLatency }): QuantizedFigures {
  const float = exported.formats.find((f) => f.format === 'onnx' && f.precision !== 'int8');
  const images = float?.parity.images;
  const base = { float32Top1: images?.accuracy?.export ?? null, on: images?.source ?? null, n: images?.n ?? null, calibration: options.calibration ?? null };
  if (options.skipped !== undefined) return { ...base, exports: [], skipped: options.skipped };
  const out: QuantizedExport[] = [];
  for (const f of exported.formats) {
    if (f.format !== 'onnx' || f.precision !== 'int8') continue;
    const im = f.parity.images;
    out.push({ encoding: 'int8', written: true, entry: f.entry, top1: im?.accuracy?.export ?? null, agreement: im?.top1Agreement ?? null, floor: INT8_MIN_AGREEMENT, ...(options.measured ? { measured: options.measured } : {}) });
  }
  for (const d of exported.dropped ?? []) {
    if (d.precision !== 'int8') continue;
    const im = d.parity?.images;
    out.push({ encoding: 'int8', written: false, entry: null, top1: im?.accuracy?.export ?? null, agreement: im?.top1Agreement ?? null, floor: INT8_MIN_AGREEMENT, dropped: d.reason });
  }
  return { ...base, exports: out };
}

/** One line per quantized export for summaries: `int8 top-1 83.0% (float32 84.0%), agreement 96.0% with float32 on 200 images`. */
export function describeQuantized(q: QuantizedFigures): string[] {
  if (q.skipped !== undefined) return [`int8 not written: ${q.skipped}`];
  const pct = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
  return q.exports.map((e) => {
    const figures = `${e.top1 !== null || q.float32Top1 !== null ? `top-1 ${pct(e.top1)} (float32 ${pct(q.float32Top1)}), ` : ''}agreement ${pct(e.agreement)} with float32${q.n !== null ? ` on ${q.n} held-out images` : ''}`;
    const latency = e.measured ? `, measured ${e.measured.medianMs.toFixed(2)} ms (${e.measured.method})` : '';
    return e.written ? `${e.encoding} ${e.entry ?? ''}: ${figures}${latency}` : `${e.encoding} dropped: ${e.dropped ?? ''}`;
  });
}
