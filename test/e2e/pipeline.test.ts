// End to end: the main command on a small fixture and the bundled images writes a complete, loadable run folder (reconstruction on by default).
// tier: full (spawns the CLI; prunes, fine-tunes, exports and measures)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { createOnnxSession } from '../../src/runtime/onnx-session.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';
import { predictOnTarget } from '../../src/latency/target-predictor.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';
import { makeSampleDataFolder } from '../helpers/sample-data.ts';

test('edge-prune <model> --target host --data … --epochs 1 prunes, fine-tunes, exports, measures and reports', async () => {
  const model = await ensureFixture('mobilenetv2');
  const data = await makeSampleDataFolder(await mkdtemp(join(tmpdir(), 'ep-e2e-data-')), { train: 16, test: 8 });
  const out = join(await mkdtemp(join(tmpdir(), 'ep-e2e-')), 'run');
  const before = analyzeModel(await readBundle(model));
  // A budget the fixture misses as it is (95% of its predicted host latency, which per-layer overheads
  // dominate for this tiny model), whatever host.json says.
  const budgetMs = Number((0.95 * predictOnTarget(before.graph, loadTarget('host')).resources.latencyMs).toFixed(4));
  const r = spawnSync(process.execPath, ['bin/edge-prune.js', model, '--target', 'host', '--latency-ms', String(budgetMs), '--data', data, '--epochs', '1', '--method', 'local', '--out', out, '--json'], { encoding: 'utf8', timeout: 600_000 });
  assert.ok(r.status === 0 || r.status === 11, `exit ${r.status}: ${r.stderr.slice(-2000)}`);
  const report = JSON.parse(r.stdout);
  // The contract of --json.
  assert.equal(report.target, 'host');
  assert.equal(report.outDir, out);
  assert.equal(report.macs.before, before.cost.macs);
  assert.ok(report.macs.after < report.macs.before, 'the run pruned');
  assert.ok(report.params.after < report.params.before);
  // Accuracy is measured on the 80 held-out images (8 per class): a whole number of them, before and after.
  assert.equal(report.accuracy.n, 80);
  // With data, reconstruction runs by default: accuracy after pruning, after reconstruction and after fine-tuning.
  assert.ok(report.timings.some((t: { stage: string }) => t.stage === 'reconstruct'), 'the reconstruct stage ran');
  for (const acc of [report.accuracy.before, report.accuracy.pruned, report.accuracy.reconstructed, report.accuracy.after]) {
    assert.ok(typeof acc === 'number' && acc >= 0 && acc <= 1 && Math.abs(acc * 80 - Math.round(acc * 80)) < 1e-9, `accuracy ${acc} is k/80`);
  }
  assert.ok(report.latency.predictedMs <= budgetMs, `predicted ${report.latency.predictedMs} ms within the budget ${budgetMs}`);
  assert.equal(report.latency.measured.length, 1);
  assert.equal(report.latency.measured[0].method, 'local');
  assert.ok(report.latency.measured[0].medianMs > 0);
  assert.equal(typeof report.budgetsMet, 'boolean');
  assert.equal(report.budgetsMet, report.budgets.filter((b: { informational?: boolean }) => !b.informational).every((b: { ok: boolean }) => b.ok));
  assert.equal(r.status === 0, report.budgetsMet, 'exit code follows the verdict');
  assert.ok(report.rounds.length > 0 && report.layers.length === before.graph.nodes.length);
  // The run folder.
  const files = await readdir(out);
  for (const f of ['plan.json', 'history.jsonl', 'report.json', 'report.html', 'model', 'export']) assert.ok(files.includes(f), `${f} in the run folder`);
  assert.deepEqual(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')).macs, report.macs);
  const html = await readFile(join(out, 'report.html'), 'utf8');
  assert.match(html, /<svg/);
  assert.doesNotMatch(html, /<script|https?:\/\//, 'self-contained: no scripts, no network');
  // The bundles load in their runtimes and are the pruned model.
  const tuned = await readBundle(join(out, 'export', 'tfjs', 'model.json'));
  assert.equal(analyzeModel(tuned).cost.macs, report.macs.after);
  const session = await createOnnxSession(join(out, 'export', 'onnx', 'model.onnx'));
  await session.release();
});
