// The main command's closing before/after summary for the terminal.
import type { Report } from '../report/report-types.ts';
import { describeQuantized } from '../report/quantized.ts';

/** Format a count with M/k suffixes. */
const mega = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
/** Relative cut as a signed percentage. */
const cut = (a: number, b: number): string => (a > 0 ? `(${b <= a ? '−' : '+'}${(Math.abs(1 - b / a) * 100).toFixed(1)}%)` : '');
/** A fixed-precision number or a dash. */
const n2 = (v: number | null | undefined, d = 2): string => (v === null || v === undefined ? '—' : v.toFixed(d));

/** ` (pruned x% → reconstructed y% before fine-tuning)` when the run measured them. */
const stepsLine = (r: Report): string => {
  const { pruned, reconstructed } = r.accuracy;
  if (pruned === null || pruned === undefined) return '';
  return ` (after pruning ${n2(pruned * 100, 1)}%${reconstructed === null || reconstructed === undefined ? '' : `, reconstructed ${n2(reconstructed * 100, 1)}%`}, before fine-tuning)`;
};

/** The summary lines printed after a run. */
export function formatSummary(r: Report): string {
  const lines = [
    '',
    `${r.model} → ${r.target} (${r.runtime} on ${r.profile})`,
    `  MACs        ${mega(r.macs.before)} → ${mega(r.macs.after)} ${cut(r.macs.before, r.macs.after)}`,
    `  params      ${mega(r.params.before)} → ${mega(r.params.after)} ${cut(r.params.before, r.params.after)}`,
    `  model size  ${n2(r.modelSizeMb.before)} → ${n2(r.modelSizeMb.after)} MB`,
    ...(r.size ? [`  on disk     ${n2(r.size.source.bytes / 1e6)} MB source (${r.size.source.encoding}) → ${r.size.written.map((w) => `${w.what} ${n2(w.bytes / 1e6)} MB (${w.encoding})`).join(' · ')}`, ...r.size.warnings.map((w) => `  warning     ${w}`)] : []),
    `  latency     ${n2(r.latency.predictedBeforeMs)} → ${n2(r.latency.predictedMs)} ms predicted (${r.speedup.deployed})`,
    `  speed-up    ${n2(r.speedup.folding)}× from the deployed bundle alone (${n2(r.speedup.layersBeforeMs)} ms as Layers) · ${n2(r.speedup.pruning)}× from pruning · ${n2(r.speedup.total)}× in all (predicted)`,
    ...r.latency.measured.map((m) => `              ${n2(m.medianMs)} ms measured${m.model ? ` for ${m.model}` : ''} (${m.label ?? m.method})`),
    ...(r.quantized ? describeQuantized(r.quantized).map((l, i) => `  ${i === 0 ? 'quantized ' : '          '}  ${l}`) : []),
    ...(r.outputFidelity
      ? [
        `  fidelity    per-output relative error to the unpruned model instead of accuracy (no labels), after pruning → fine-tuned (${r.agreement?.on ?? 'held-out images'}):`,
        ...r.outputFidelity.map((o) => `              ${o.name.padEnd(12)} ${n2(o.relativeErrorBeforeFinetune, 4)} → ${n2(o.relativeErrorAfter, 4)}`),
      ]
      : [`  accuracy    ${r.accuracy.before === null ? 'NOT measured (no labelled data)' : `${n2(r.accuracy.before * 100, 1)}% → ${n2((r.accuracy.after ?? 0) * 100, 1)}% on ${r.accuracy.n} held-out images${stepsLine(r)}`}`]),
    ...(r.agreement ? [`  agreement   ${r.agreement.measure} with the unpruned model: ${n2(r.agreement.beforeFinetune, 3)} after pruning → ${n2(r.agreement.after, 3)} delivered (${r.agreement.on})`] : []),
    '  budgets',
    ...r.budgets.map((b) => `    ${b.ok ? 'met ' : 'OVER'}  ${b.budget.padEnd(12)} ${n2(b.value, 3)} ≤ ${n2(b.limit, 3)}  (${b.basis}${b.informational ? ', for comparison' : ''})${b.metBy && b.metBy !== 'not met' ? `  ${b.metBy === 'already met' ? 'already met' : `met by ${b.metBy}`}` : ''}`),
    `  ${r.verdict}`,
    `  run folder ${r.outDir} (report.html)`,
  ];
  return lines.join('\n');
}
