// End to end: the bundled VGG sample exported to ONNX and run through the main command matches the same run on its model.json.
// tier: full (spawns the CLI; runs the whole flow)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { readClassNames, readNormalization } from '../../src/data/normalization.ts';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { importOnnx } from '../../src/import/onnx/import-onnx.ts';
import { makeSampleDataFolder } from '../helpers/sample-data.ts';

const SAMPLE = 'samples/vgg/model.json';

/** The main command's --json report for one model on the shared data and budget. */
function runMain(model: string, data: string, out: string, latencyMs: number): { status: number | null; report: Record<string, any> } {
  const args = ['bin/edge-prune.js', model, '--target', 'pixel7', '--latency-ms', String(latencyMs), '--data', data, '--epochs', '1', '--method', 'none', '--out', out, '--json'];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 600_000 });
  assert.ok(r.status === 0 || r.status === 11, `${model}: exit ${r.status}: ${r.stderr.slice(-2000)}`);
  return { status: r.status, report: JSON.parse(r.stdout) as Record<string, any> };
}

/** The pixel7 latency budget's verdict in a report. */
function latencyVerdict(report: Record<string, any>): boolean | undefined {
  return (report['budgets'] as { budget: string; ok: boolean }[]).find((b) => b.budget === 'latencyMs')?.ok;
}

test('the VGG sample exported to ONNX runs the main command like its model.json: same accuracy before pruning, latency budget met alike', async (t) => {
  const sample = await readBundle(SAMPLE);
  const tmp = await mkdtemp(join(tmpdir(), 'ep-onnx-e2e-'));
  const exported = await exportBundle(sample, { formats: ['onnx'], outDir: join(tmp, 'export') });
  const onnxPath = join(exported.outDir, 'onnx', 'model.onnx');

  // The export records the input normalization and class names; the importer restores them.
  const imported = await importOnnx(onnxPath);
  assert.deepEqual(readNormalization(imported), readNormalization(sample));
  assert.deepEqual(readClassNames(imported), readClassNames(sample));

  const budgets = JSON.parse(await readFile('samples/vgg/budgets.json', 'utf8')) as { budgets: { pixel7: { latencyMs: number } } };
  const latencyMs = budgets.budgets.pixel7.latencyMs;
  const data = await makeSampleDataFolder(join(tmp, 'data'), { train: 10, test: 20 });
  const layers = runMain(SAMPLE, data, join(tmp, 'run-layers'), latencyMs);
  const onnx = runMain(onnxPath, data, join(tmp, 'run-onnx'), latencyMs);

  assert.equal(onnx.report['accuracy'].n, 200);
  assert.equal(layers.report['accuracy'].n, 200);
  assert.equal(typeof layers.report['accuracy'].before, 'number');
  assert.equal(onnx.report['accuracy'].before, layers.report['accuracy'].before, 'same images, same model: same accuracy before pruning');
  assert.equal(onnx.report['macs'].before, layers.report['macs'].before);
  // The pixel7 latency budget (the accuracy-drop budget may fail after one epoch on 100 images; that is not compared).
  assert.equal(latencyVerdict(layers.report), true, 'the Layers run prunes into the pixel7 latency budget');
  assert.equal(latencyVerdict(onnx.report), latencyVerdict(layers.report), 'the ONNX run meets the pixel7 latency budget as the Layers run does');
  assert.ok(onnx.report['latency'].predictedMs <= latencyMs);
  t.diagnostic(`accuracy before: layers ${layers.report['accuracy'].before}, onnx ${onnx.report['accuracy'].before}; pixel7 latency budget met: layers ${latencyVerdict(layers.report)}, onnx ${latencyVerdict(onnx.report)}; all budgets met: layers ${layers.report['budgetsMet']}, onnx ${onnx.report['budgetsMet']}`);
});
