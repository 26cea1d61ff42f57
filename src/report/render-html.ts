// Renders a Report as one self-contained HTML page: summary, budget verdicts, plots and the per-layer table.
import type { Report } from './report-types.ts';
import { channelBars, escapeHtml, lineChart } from './svg-charts.ts';

/** Format numbers for the page. */
const num = (n: number | null | undefined, digits = 2): string => (n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));
const mega = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
const pct = (before: number, after: number): string => (before > 0 ? `−${((1 - after / before) * 100).toFixed(1)}%` : '');

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.muted{color:#667}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:10px}.card{border:1px solid #dde;border-radius:8px;padding:10px 12px;overflow-wrap:anywhere}
.card b{display:block;font-size:18px}.ok{color:#0a7a3b}.bad{color:#b3261e}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid #eef;text-align:right}th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}
.chart text{font-size:11px;fill:#445}.chart .axis{stroke:#99a}.chart .line{fill:none;stroke:#3355cc;stroke-width:2}.chart circle{fill:#3355cc}
.chart .before{fill:#c9d3f2}.chart .after{fill:#3355cc}.plots{display:flex;flex-wrap:wrap;gap:24px}code{background:#f3f4f8;padding:1px 4px;border-radius:4px}`;

/** The summary cards. */
function cards(r: Report): string {
  const measured = r.latency.measured[0];
  const items: [string, string, string][] = [
    ['MACs', `${mega(r.macs.before)} → ${mega(r.macs.after)}`, pct(r.macs.before, r.macs.after)],
    ['Parameters', `${mega(r.params.before)} → ${mega(r.params.after)}`, pct(r.params.before, r.params.after)],
    ['Model size', `${num(r.modelSizeMb.before)} → ${num(r.modelSizeMb.after)} MB`, pct(r.modelSizeMb.before, r.modelSizeMb.after)],
    ['Latency (predicted)', `${num(r.latency.predictedBeforeMs)} → ${num(r.latency.predictedMs)} ms`, `${r.runtime} on ${r.profile}`],
    ['Latency (measured)', measured ? `${num(measured.medianMs)} ms` : 'not measured', measured ? (measured.label ?? `${measured.method}: ${measured.runtime}`) : ''],
    r.outputFidelity && r.agreement
      ? ['Output fidelity', `${num(r.agreement.beforeFinetune, 3)} → ${num(r.agreement.after, 3)}`, `1 − mean relative error to the unpruned model on ${r.agreement.on}; no accuracy (no labels)`]
      : ['Accuracy', `${num(r.accuracy.before === null ? null : r.accuracy.before * 100, 1)}% → ${num(r.accuracy.after === null ? null : r.accuracy.after * 100, 1)}%`, r.accuracy.data ? `${r.accuracy.n} images of ${r.accuracy.data}` : 'no data given'],
    ...(r.accuracy.pruned === null || r.accuracy.pruned === undefined ? [] : [['Accuracy before fine-tuning', `${num(r.accuracy.pruned * 100, 1)}% pruned (BatchNorm re-estimated)${r.accuracy.reconstructed === null || r.accuracy.reconstructed === undefined ? '' : ` · ${num(r.accuracy.reconstructed * 100, 1)}% reconstructed`}`, 'right after pruning, before fine-tuning'] as [string, string, string]]),
  ];
  return `<div class="cards">${items.map(([k, v, s]) => `<div class="card">${escapeHtml(k)}<b>${escapeHtml(v)}</b><span class="muted">${escapeHtml(s)}</span></div>`).join('')}</div>`;
}

/** The budget verdict table. */
function verdicts(r: Report): string {
  const rows = r.budgets.map((b) => `<tr><td>${escapeHtml(b.budget)}</td><td>${escapeHtml(b.basis)}</td><td>${num(b.value, 3)}</td><td>${num(b.limit, 3)}</td><td class="${b.ok ? 'ok' : 'bad'}">${b.ok ? 'met' : 'over'}${b.informational ? ' (for comparison)' : ''}${b.metBy ? ` (${escapeHtml(b.metBy)})` : ''}</td></tr>`).join('');
  return `<table><tr><th>budget</th><th>from</th><th>value</th><th>limit</th><th>verdict</th></tr>${rows}</table>`;
}

/** Detectors and segmenters: each raw output's relative error to the unpruned model, before and after fine-tuning (in place of accuracy). */
function fidelityTable(r: Report): string {
  if (!r.outputFidelity) return '';
  const rows = r.outputFidelity.map((o) => `<tr><td>${escapeHtml(o.name)}</td><td>relative error</td><td>${num(o.relativeErrorBeforeFinetune, 4)}</td><td>${num(o.relativeErrorAfter, 4)}</td></tr>`).join('');
  return `<h2>Per-output fidelity</h2><p>No labels: instead of accuracy, each raw output's relative error Σ(y − r)²/max(Σ(r − mean r)², 0.01·Σr²) against the unpruned model${r.agreement ? ` on ${escapeHtml(r.agreement.on)}` : ''} (0 = identical, 1 = no better than the mean).</p><table><tr><th>output</th><th>measure</th><th>after pruning</th><th>after fine-tuning</th></tr>${rows}</table>`;
}

/** The per-layer table. */
function layerTable(r: Report): string {
  const rows = r.layers.map((l) => `<tr><td>${escapeHtml(l.name)}</td><td>${escapeHtml(l.className)}</td><td>${l.channelsBefore} → ${l.channelsAfter}</td><td>${mega(l.macsBefore)} → ${mega(l.macsAfter)}</td><td>${mega(l.paramsBefore)} → ${mega(l.paramsAfter)}</td><td>${num(l.predictedMsBefore, 3)} → ${num(l.predictedMsAfter, 3)}</td><td>${num(l.measuredMs, 3)}</td></tr>`).join('');
  return `<table><tr><th>layer</th><th>class</th><th>channels</th><th>MACs</th><th>params</th><th>predicted ms</th><th>measured ms</th></tr>${rows}</table>`;
}

/** Bytes on disk before (the source) and after (each written model), and the larger-than-source warnings. */
function sizeSection(r: Report): string {
  const size = r.size;
  if (!size) return '';
  const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;
  const rows = size.written.map((w) => `<tr><td>${escapeHtml(w.what)}</td><td>${escapeHtml(w.encoding)}</td><td>${mb(w.bytes)}</td><td>${size.source.bytes > 0 ? `${num((100 * w.bytes) / size.source.bytes, 0)}%` : '—'}</td></tr>`).join('');
  const warnings = size.warnings.map((w) => `<li class="bad">${escapeHtml(w)}</li>`).join('');
  return `<h2>Size on disk</h2><p>Source: ${mb(size.source.bytes)} (${escapeHtml(size.source.encoding)} weights), ${size.params.before} → ${size.params.after} parameters.</p><table><tr><th>written</th><th>weights</th><th>bytes</th><th>of source</th></tr>${rows}</table>${warnings ? `<ul>${warnings}</ul>` : ''}`;
}

/** The float32 ONNX and the int8 ONNX beside it: top-1, agreement, measured latency; or why int8 was not written or was dropped. */
function quantizedSection(r: Report): string {
  const q = r.quantized;
  if (!q) return '';
  const pct = (x: number | null): string => (x === null ? '—' : `${num(100 * x, 1)}%`);
  if (q.skipped !== undefined) return `<h2>Quantized exports</h2><p class="muted">int8 ONNX not written: ${escapeHtml(q.skipped)}.</p>`;
  const rows = q.exports.map((e) => `<tr><td>${escapeHtml(e.encoding)}</td><td>${e.written ? `<code>${escapeHtml(e.entry ?? '')}</code>` : `<span class="bad">dropped: ${escapeHtml(e.dropped ?? '')}</span>`}</td><td>${pct(e.top1)}</td><td>${pct(e.agreement)} (floor ${pct(e.floor)})</td><td>${e.measured ? `${num(e.measured.medianMs, 3)} ms (${escapeHtml(e.measured.method)})` : '—'}</td></tr>`).join('');
  return `<h2>Quantized exports</h2><p>Judged on ${q.n ?? 0} images of ${escapeHtml(q.on ?? '—')}${q.calibration ? `; calibrated on ${escapeHtml(q.calibration)}` : ''}. The latency verdict is about the float32 model.</p><table><tr><th>encoding</th><th>file</th><th>top-1</th><th>agreement with float32</th><th>measured</th></tr><tr><td>float32</td><td><code>onnx/model.onnx</code></td><td>${pct(q.float32Top1)}</td><td>—</td><td>${r.latency.measured[0] ? `${num(r.latency.measured[0].medianMs, 3)} ms (${escapeHtml(r.latency.measured[0].method)})` : '—'}</td></tr>${rows}</table>`;
}

/** Render the report page (no external resources, no scripts). */
export function renderHtml(r: Report): string {
  const rounds = lineChart(r.rounds.map((p) => ({ x: p.latencyMs, y: p.quality, label: `round ${p.round}: ${p.group} keeps ${p.keep}` })), 'predicted latency (ms)', 'candidate quality');
  const channels = channelBars(r.layers.filter((l) => l.className !== 'InputLayer' && l.channelsBefore > 0 && ['Conv2D', 'Dense', 'SeparableConv2D'].includes(l.className)).map((l) => ({ name: l.name, before: l.channelsBefore, after: l.channelsAfter })));
  const measured = r.latency.measured.map((m) => `<li><b>${escapeHtml(m.method)}</b> (${escapeHtml(m.runtime)}${m.model ? `, ${escapeHtml(m.model)}` : ''}): median ${num(m.medianMs, 3)} ms${m.p90Ms !== undefined ? `, p90 ${num(m.p90Ms, 3)} ms` : ''}${m.label ? ` — ${escapeHtml(m.label)}` : ''}</li>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>edge-prune report: ${escapeHtml(r.target)}</title><style>${STYLE}</style></head><body>
<h1>edge-prune: ${escapeHtml(r.model)} for ${escapeHtml(r.target)}</h1>
<p class="muted">${escapeHtml(r.createdAt)} · criterion ${escapeHtml(r.criterion)} · runtime ${escapeHtml(r.runtime)} · profile ${escapeHtml(r.profile)} · <span class="${r.budgetsMet && (r.accuracyChecked || r.outputFidelity) ? 'ok' : 'bad'}">${escapeHtml(r.verdict)}</span></p>
${cards(r)}
<h2>Budgets</h2>${verdicts(r)}
${fidelityTable(r)}
<h2>Latency</h2><p>Predicted by the profile's latency model for the deployed bundle (${escapeHtml(r.speedup.deployed)}): ${num(r.latency.predictedBeforeMs, 3)} → ${num(r.latency.predictedMs, 3)} ms. Speed-up from deploying the folded bundle alone: ${num(r.speedup.folding)}× (the unpruned Layers bundle: ${num(r.speedup.layersBeforeMs, 3)} ms); from pruning: ${num(r.speedup.pruning)}×; in all ${num(r.speedup.total)}×. Measured:</p><ul>${measured || '<li>not measured</li>'}</ul>
<h2>Plots</h2><div class="plots"><figure>${rounds}<figcaption>Quality of the chosen candidate vs predicted latency, per search round</figcaption></figure><figure>${channels}<figcaption>Channels per layer, before (light) and after (dark)</figcaption></figure></div>
<h2>Per layer</h2>${layerTable(r)}
${r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
${quantizedSection(r)}
${sizeSection(r)}
<h2>Files</h2><ul>${r.exports.map((e) => `<li><code>${escapeHtml(e.path)}</code> (${escapeHtml(e.format)}, ${(e.bytes / 1024).toFixed(0)} KiB)</li>`).join('')}</ul>
</body></html>
`;
}
