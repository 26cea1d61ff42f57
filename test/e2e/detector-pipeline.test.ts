// End to end (#22): a YOLOv8-style detector ONNX with a flat folder of unlabelled images runs the main command; the report shows per-output fidelity.
// tier: full (spawns the CLI; runs the whole flow with fine-tuning)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSummary } from '../../src/cli/summary.ts';
import { decodeModel } from '../../src/export/onnx-tensors.ts';
import type { Report } from '../../src/report/report-types.ts';

const DETECTOR = 'test/fixtures/onnx/yolov8-raw-opset13.onnx';

/** A flat folder of the first `n` bundled sample images (no class sub-folders: unlabelled). */
async function flatImages(dir: string, n: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  let k = 0;
  for (const cls of (await readdir('samples/data/train')).sort()) {
    for (const f of (await readdir(join('samples/data/train', cls))).sort().slice(0, Math.ceil(n / 10))) {
      if (k < n) await copyFile(join('samples/data/train', cls, f), join(dir, `img${k++}.jpg`));
    }
  }
  return dir;
}

test('a detector prunes into a pixel7 budget from unlabelled images; the report, report.html and the summary give per-output fidelity instead of accuracy, and the exports keep p3, p4, p5', async (t) => {
  const tmp = await mkdtemp(join(tmpdir(), 'ep-detector-e2e-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const data = await flatImages(join(tmp, 'images'), 160);
  const out = join(tmp, 'run');
  const args = ['bin/edge-prune.js', DETECTOR, '--target', 'pixel7', '--latency-ms', '1.72', '--data', data, '--epochs', '2', '--method', 'none', '--out', out, '--json'];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 900_000 });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const report = JSON.parse(r.stdout) as Record<string, any>;
  assert.ok(report['macs'].after < report['macs'].before, 'channels were pruned');
  assert.ok(report['latency'].predictedMs <= 1.72, 'the predicted pixel7 latency meets the budget');
  assert.equal(report['agreement'].measure, 'output fidelity');
  assert.equal(report['accuracy'].before, null, 'no accuracy without labels');
  const figures = report['outputFidelity'] as { name: string; relativeErrorBeforeFinetune: number; relativeErrorAfter: number }[];
  assert.deepEqual(figures.map((f) => f.name), ['p3', 'p4', 'p5']);
  const mean = (key: 'relativeErrorBeforeFinetune' | 'relativeErrorAfter'): number => figures.reduce((a, f) => a + f[key], 0) / figures.length;
  assert.ok(mean('relativeErrorBeforeFinetune') > 0, 'pruning changed the outputs');
  assert.ok(mean('relativeErrorAfter') < mean('relativeErrorBeforeFinetune'), `distillation lowers the mean relative error: ${mean('relativeErrorBeforeFinetune')} → ${mean('relativeErrorAfter')}`);
  assert.match(report['verdict'], /^budgets met · per-output fidelity instead of accuracy \(no labels\)/);
  const html = await readFile(join(out, 'report.html'), 'utf8');
  assert.match(html, /<h2>Per-output fidelity<\/h2>/);
  for (const f of figures) assert.ok(html.includes(`<td>${f.name}</td><td>relative error</td><td>${f.relativeErrorBeforeFinetune.toFixed(4)}</td><td>${f.relativeErrorAfter.toFixed(4)}</td>`), `report.html row of ${f.name}`);
  assert.ok(html.includes('Output fidelity') && !html.includes('>Accuracy<'), 'the fidelity card replaces the accuracy card');
  const summary = formatSummary(report as unknown as Report);
  assert.match(summary, /fidelity {4}per-output relative error to the unpruned model instead of accuracy/);
  assert.doesNotMatch(summary, /accuracy {4}NOT measured/);
  for (const f of figures) assert.match(summary, new RegExp(`${f.name} +${f.relativeErrorBeforeFinetune.toFixed(4)} → ${f.relativeErrorAfter.toFixed(4)}`));
  const onnx = decodeModel(new Uint8Array(await readFile(join(out, 'export', 'onnx', 'model.onnx'))));
  assert.deepEqual(onnx.graph?.output?.map((o) => o.name), ['p3', 'p4', 'p5'], 'the raw outputs keep their names');
  t.diagnostic(`MACs ${report['macs'].before} → ${report['macs'].after}; pixel7 predicted ${report['latency'].predictedBeforeMs.toFixed(2)} → ${report['latency'].predictedMs.toFixed(2)} ms; relative error ${figures.map((f) => `${f.name} ${f.relativeErrorBeforeFinetune.toFixed(4)} → ${f.relativeErrorAfter.toFixed(4)}`).join(', ')}`);
});
