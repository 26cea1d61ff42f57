// recovery.json, the recovery section of bench/RESULTS.md (table, goals) and the accuracy-vs-epochs SVG, all from the rows so far.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { putSection, wrapSection } from '../results-sections.ts';
import type { Method, PrepRecord, RecoveryRow } from './records.ts';

const METHODS: Method[] = ['fscl+recon', 'fscl', 'l1+recon', 'scratch'];
const COLORS: Record<Method, string> = { 'fscl+recon': '#1b7837', fscl: '#2166ac', 'l1+recon': '#d6604d', scratch: '#777' };

/** Write through a temporary name and a rename. */
async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

const pct = (x: number | null | undefined, d = 2): string => (x === null || x === undefined ? '—' : (x * 100).toFixed(d));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const cellLabel = (r: { sample: string; macsCut: number }): string => `${r.sample} −${Math.round(r.macsCut * 100)}% MACs`;

/** Rows grouped by cell label, then method, then epochs: values over seeds. */
function grouped(rows: RecoveryRow[]): Map<string, Map<Method, Map<number, RecoveryRow[]>>> {
  const out = new Map<string, Map<Method, Map<number, RecoveryRow[]>>>();
  for (const r of rows) {
    const c = out.get(cellLabel(r)) ?? new Map<Method, Map<number, RecoveryRow[]>>();
    const m = c.get(r.method) ?? new Map<number, RecoveryRow[]>();
    m.set(r.epochs, [...(m.get(r.epochs) ?? []), r]);
    c.set(r.method, m);
    out.set(cellLabel(r), c);
  }
  return out;
}

/** One SVG panel per cell: accuracy (%) vs epochs, a line per method (mean over seeds), the unpruned accuracy dashed. */
export function renderSvg(rows: RecoveryRow[]): string {
  const cells = [...grouped(rows)];
  const [w, h] = [360, 250];
  const pad = { l: 44, r: 10, t: 24, b: 34 };
  const panels = cells.map(([label, byMethod], i) => {
    const all = [...byMethod.values()].flatMap((m) => [...m.values()].flat());
    const unpruned = all[0]?.unpruned ?? 1;
    const xMax = Math.max(5, ...all.map((r) => r.epochs));
    const yMin = Math.max(0, Math.floor((Math.min(...all.map((r) => r.accFinetuned)) * 100) / 10) * 10);
    const yMax = Math.min(100, Math.ceil((unpruned * 100 + 1) / 5) * 5);
    const sx = (x: number): number => pad.l + (x / xMax) * (w - pad.l - pad.r);
    const sy = (y: number): number => h - pad.b - ((y - yMin) / (yMax - yMin || 1)) * (h - pad.t - pad.b);
    const lines = METHODS.filter((m) => byMethod.has(m)).map((m) => {
      const pts = [...(byMethod.get(m) as Map<number, RecoveryRow[]>)].sort((a, b) => a[0] - b[0]).map(([e, rs]) => [sx(e), sy(mean(rs.map((r) => r.accFinetuned)) * 100)] as const);
      const d = pts.map(([x, y], k) => `${k ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
      return `<path d="${d}" fill="none" stroke="${COLORS[m]}" stroke-width="2"/>${pts.map(([x, y]) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" fill="${COLORS[m]}"/>`).join('')}`;
    }).join('');
    const yTicks = [yMin, (yMin + yMax) / 2, yMax].map((v) => `<text x="${pad.l - 4}" y="${sy(v) + 4}" text-anchor="end">${v.toFixed(0)}</text>`).join('');
    const xTicks = [...new Set([0, 1, 3, 5, ...all.map((r) => r.epochs)])].filter((v) => v <= xMax).map((v) => `<text x="${sx(v)}" y="${h - pad.b + 14}" text-anchor="middle">${v}</text>`).join('');
    return `<g transform="translate(${i * w},0)"><text x="${pad.l}" y="14" font-weight="bold">${label}</text>
<line x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}" stroke="#000"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${h - pad.b}" stroke="#000"/>
<line x1="${pad.l}" y1="${sy(unpruned * 100)}" x2="${w - pad.r}" y2="${sy(unpruned * 100)}" stroke="#000" stroke-dasharray="4 3"/>${lines}${yTicks}${xTicks}
<text x="${(w + pad.l) / 2}" y="${h - 4}" text-anchor="middle">epochs (50,000 images each)</text></g>`;
  });
  const legend = METHODS.map((m, i) => `<g transform="translate(${10 + i * 110},${h + 8})"><line x1="0" y1="6" x2="18" y2="6" stroke="${COLORS[m]}" stroke-width="2"/><text x="22" y="10">${m}</text></g>`).join('') + `<g transform="translate(${10 + METHODS.length * 110},${h + 8})"><line x1="0" y1="6" x2="18" y2="6" stroke="#000" stroke-dasharray="4 3"/><text x="22" y="10">unpruned</text></g>`;
  const width = Math.max(680, cells.length * w);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${h + 30}" width="${width}" height="${h + 30}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="#fff"/>${panels.join('\n')}${legend}</svg>\n`;
}

/** The goals of issue #19, checked on the rows so far. */
function goals(rows: RecoveryRow[], preps: PrepRecord[]): string[] {
  const out: string[] = [];
  const near = (r: { macsCut: number }, cut: number): boolean => Math.abs(r.macsCut - cut) < 0.03;
  const lift = preps.filter((p) => p.sample === 'vgg' && p.criterion === 'fscl' && near(p, 0.75)).map((p) => p.accReconstructed - p.accPruned);
  out.push(lift.length ? `- Reconstruction lifts VGG −75% accuracy right after pruning by ${lift.map((l) => pct(l, 1)).join(', ')} points (goal ≥ 15): ${lift.every((l) => l >= 0.15) ? 'met' : 'MISSED'}.` : '- Reconstruction lift at VGG −75%: not measured yet.');
  for (const [cut, limit] of [[0.75, 0.02], [0.82, 0.04]] as const) {
    const five = rows.filter((r) => r.sample === 'vgg' && r.method === 'fscl+recon' && r.epochs === 5 && near(r, cut));
    if (five.length === 0) out.push(`- FSCL + reconstruction after 5 epochs at VGG −${cut * 100}%: not measured yet (goal within ${limit * 100} points of the unpruned sample).`);
    else {
      const gap = mean(five.map((r) => r.unpruned - r.accFinetuned));
      out.push(`- FSCL + reconstruction after 5 epochs at VGG −${cut * 100}%: ${pct(gap)} points below the unpruned sample (goal ≤ ${limit * 100}): ${gap <= limit ? 'met' : `MISSED by ${pct(gap - limit)} points`}.`);
    }
  }
  const scratch = new Map<string, number>();
  for (const r of rows) if (r.method === 'scratch') scratch.set(cellLabel(r), Math.max(scratch.get(cellLabel(r)) ?? 0, r.accFinetuned));
  const tuned = rows.filter((r) => r.method !== 'scratch' && r.epochs > 0 && scratch.has(cellLabel(r)));
  if (tuned.length === 0) out.push('- Pruned + fine-tuned vs scratch: no cell has both yet.');
  else {
    const losers = tuned.filter((r) => r.accFinetuned <= (scratch.get(cellLabel(r)) as number));
    out.push(`- Every pruned + fine-tuned checkpoint beats the best scratch checkpoint of its architecture so far: ${losers.length === 0 ? `met (${tuned.length} checkpoints)` : `MISSED by ${losers.map((r) => `${cellLabel(r)} ${r.method} ${r.epochs} ep (${pct(r.accFinetuned)}% vs ${pct(scratch.get(cellLabel(r)))}%)`).join('; ')}`}.`);
  }
  return out;
}

/** The Markdown section. */
export function renderSection(rows: RecoveryRow[], preps: PrepRecord[], facts: { command: string; machine: string; svg: string; pending: string[] }): string {
  const out = ['## Recovery at high compression (issue #19)', ''];
  out.push(`- Command: \`${facts.command}\` (resumable: rerun it to continue; finished checkpoints are kept in bench/results/recovery.partial.jsonl, training checkpoints in bench/results/recovery-work/)`);
  out.push(`- Machine: ${facts.machine}`);
  out.push('- Cells: uniform per-group drop ratio (channels rounded to 8, as the criteria benchmark). Fine-tuning: the full 50,000-image CIFAR-10 train folder, batch 64, SGD momentum 0.9, wd 5e-4, peak lr 0.01 cosine over 5 epochs, distillation from the unpruned sample (T 4, weight 0.7) + cross-entropy; accuracies at epochs 1, 3, 5 are checkpoints of that one run. Scratch: the same pruned architecture, seeded He-normal init, the same loss with peak lr 0.05, 1 warm-up epoch, cosine over 15 epochs (3× the longest fine-tune); checkpoints 1, 3, 5, 10, 15. Accuracy on the full 10,000-image test folder. "pruned" = BN re-estimated on 2,048 training images; "reconstructed" = least-squares refit on 1,024 training images (no BN re-estimation); epoch 0 = the start point. Seconds = pruning + reconstruction + training (incl. the per-epoch test evaluation) up to the checkpoint.');
  out.push('', '### Goals', '', ...goals(rows, preps), '');
  out.push('### Right after pruning', '', '| cell | criterion | seed | MACs −% | unpruned % | pruned (BN) % | reconstructed % | lift (points) | reconstruct s |', '|---|---|---|---|---|---|---|---|---|');
  for (const p of preps) out.push(`| ${cellLabel(p)} | ${p.criterion} | ${p.seed} | ${pct(p.macsCut, 1)} | ${pct(p.unpruned)} | ${pct(p.accPruned)} | ${pct(p.accReconstructed)} | ${pct(p.accReconstructed - p.accPruned, 1)} | ${p.seconds.reconstruct.toFixed(0)} |`);
  out.push('', '### Accuracy (%) by epochs of fine-tuning (mean over seeds; seeds in brackets)', '');
  const epochs = [...new Set(rows.map((r) => r.epochs))].sort((a, b) => a - b);
  if (epochs.length === 0) out.push('No fine-tuning or scratch checkpoint finished yet.');
  if (epochs.length > 0) out.push(`| cell | method | ${epochs.map((e) => `${e} ep`).join(' | ')} | seconds at last |`, `|---|---|${epochs.map(() => '---').join('|')}|---|`);
  for (const [label, byMethod] of grouped(rows)) {
    for (const m of METHODS) {
      const byEpoch = byMethod.get(m);
      if (!byEpoch) continue;
      const cells = epochs.map((e) => {
        const rs = byEpoch.get(e);
        return rs ? `${pct(mean(rs.map((r) => r.accFinetuned)))} (${rs.map((r) => r.seed).join(',')})` : '';
      });
      const last = [...byEpoch.values()].flat().sort((a, b) => b.epochs - a.epochs)[0];
      out.push(`| ${label} | ${m} | ${cells.join(' | ')} | ${last ? last.seconds : ''} |`);
    }
  }
  out.push('', `![accuracy vs epochs](${facts.svg})`, '');
  if (facts.pending.length) out.push(`Not yet measured (the benchmark continues where it stopped): ${facts.pending.join('; ')}.`, '');
  return out.join('\n');
}

/** Write recovery.json, the SVG and the section of RESULTS.md. */
export async function writeRecovery(paths: { json: string; svg: string; md: string }, rows: RecoveryRow[], preps: PrepRecord[], facts: { command: string; machine: string; pending: string[] }): Promise<void> {
  const sorted = [...rows].sort((a, b) => cellLabel(a).localeCompare(cellLabel(b)) || METHODS.indexOf(a.method) - METHODS.indexOf(b.method) || a.seed - b.seed || a.epochs - b.epochs);
  await writeAtomic(paths.json, `${JSON.stringify({ rows: sorted }, null, 2)}\n`);
  await writeAtomic(paths.svg, renderSvg(sorted));
  let md = '';
  try {
    md = await readFile(paths.md, 'utf8');
  } catch {
    md = '# Benchmark results\n';
  }
  const section = renderSection(sorted, preps, { ...facts, svg: relative(dirname(paths.md), paths.svg) });
  await writeAtomic(paths.md, putSection(md, 'recovery', wrapSection('recovery', section)));
}
