// Small self-contained SVG charts for the HTML report (no scripts, no network).

/** Escape text for HTML/SVG. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A line chart of (x, y) points with axis labels. */
export function lineChart(points: { x: number; y: number; label?: string }[], xLabel: string, yLabel: string, width = 520, height = 260): string {
  if (points.length === 0) return '<p class="muted">no search rounds (nothing to plot)</p>';
  const pad = { l: 56, r: 16, t: 12, b: 40 };
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number): number => pad.l + ((x - x0) / (x1 - x0 || 1)) * (width - pad.l - pad.r);
  const sy = (y: number): number => height - pad.b - ((y - y0) / (y1 - y0 || 1)) * (height - pad.t - pad.b);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
  const dots = points.map((p) => `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3"><title>${escapeHtml(p.label ?? `${p.x}, ${p.y}`)}</title></circle>`).join('');
  const ticks = (lo: number, hi: number): number[] => [lo, lo + (hi - lo) / 2, hi];
  const xt = ticks(x0, x1).map((v) => `<text x="${sx(v)}" y="${height - pad.b + 16}" text-anchor="middle">${v.toPrecision(3)}</text>`).join('');
  const yt = ticks(y0, y1).map((v) => `<text x="${pad.l - 6}" y="${sy(v) + 4}" text-anchor="end">${v.toPrecision(3)}</text>`).join('');
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" class="chart" role="img" aria-label="${escapeHtml(yLabel)} vs ${escapeHtml(xLabel)}">
<line x1="${pad.l}" y1="${height - pad.b}" x2="${width - pad.r}" y2="${height - pad.b}" class="axis"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${height - pad.b}" class="axis"/>
<path d="${path}" class="line"/>${dots}${xt}${yt}
<text x="${(width + pad.l) / 2}" y="${height - 6}" text-anchor="middle" class="label">${escapeHtml(xLabel)}</text>
<text x="14" y="${(height - pad.b) / 2}" text-anchor="middle" class="label" transform="rotate(-90 14 ${(height - pad.b) / 2})">${escapeHtml(yLabel)}</text></svg>`;
}

/** Paired horizontal bars: channels per layer before (light) and after (dark). */
export function channelBars(rows: { name: string; before: number; after: number }[], width = 520): string {
  if (rows.length === 0) return '';
  const barH = 14;
  const gap = 6;
  const labelW = 170;
  const max = Math.max(...rows.map((r) => r.before), 1);
  const scale = (v: number): number => ((width - labelW - 60) * v) / max;
  const height = rows.length * (barH + gap) + 10;
  const body = rows.map((r, i) => {
    const y = 5 + i * (barH + gap);
    return `<text x="${labelW - 6}" y="${y + barH - 3}" text-anchor="end">${escapeHtml(r.name.length > 26 ? `${r.name.slice(0, 25)}…` : r.name)}</text>
<rect x="${labelW}" y="${y}" width="${scale(r.before).toFixed(1)}" height="${barH}" class="before"><title>${r.before} before</title></rect>
<rect x="${labelW}" y="${y + 3}" width="${scale(r.after).toFixed(1)}" height="${barH - 6}" class="after"><title>${r.after} after</title></rect>
<text x="${labelW + scale(r.before) + 4}" y="${y + barH - 3}">${r.after}/${r.before}</text>`;
  }).join('');
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" class="chart" role="img" aria-label="channels per layer">${body}</svg>`;
}
