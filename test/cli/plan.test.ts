// `edge-prune plan` on the command line: an unreachable budget exits 10 with the best plan written; `--data` ranks candidates by accuracy, or a detector's by per-output fidelity.
// tier: full (spawns the CLI)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';
import { predictOnTarget } from '../../src/latency/target-predictor.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';

test('an impossible budget ends with BUDGET_UNREACHABLE (exit 10) and still writes the best plan', async () => {
  const model = await ensureFixture('mobilenetv2');
  const out = await mkdtemp(join(tmpdir(), 'ep-unreach-'));
  const r = spawnSync(process.execPath, ['bin/edge-prune.js', 'plan', model, '--target', 'host', '--latency-ms', '0.001', '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 10, r.stderr);
  assert.match(r.stderr, /error BUDGET_UNREACHABLE: /);
  assert.match(r.stderr, /hint: /);
  const plan = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8'));
  assert.equal(plan.version, 1);
  const j = spawnSync(process.execPath, ['bin/edge-prune.js', 'plan', model, '--target', 'host', '--latency-ms', '0.001', '--out', out, '--json'], { encoding: 'utf8' });
  const json = JSON.parse(j.stdout);
  assert.equal(json.met, false);
  assert.equal(typeof json.predicted.latencyMs, 'number');
  assert.equal(typeof json.budget.memoryMb, 'number');
  assert.equal(typeof json.macs.before, 'number');
});

test('`plan --data` compares candidates by held-out accuracy after BN re-estimation and meets the budget', async () => {
  const out = await mkdtemp(join(tmpdir(), 'ep-plan-data-'));
  const model = join('samples', 'vgg', 'model.json');
  const latency = predictOnTarget(analyzeModel(await readBundle(model)).graph, loadTarget('pixel7')).resources.latencyMs * 0.8;
  const r = spawnSync(process.execPath, ['bin/edge-prune.js', 'plan', model, '--target', 'pixel7', '--latency-ms', String(latency), '--data', join('samples', 'data'), '--search-images', '64', '--out', out, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.met, true);
  assert.ok(json.predicted.latencyMs <= latency);
  const rounds = (await readFile(join(out, 'history.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { quality: number });
  assert.ok(rounds.length >= 1);
  // Accuracy on 64 held-out images is a whole number of images out of 64 (output fidelity would not be).
  for (const round of rounds) assert.ok(Math.abs(round.quality * 64 - Math.round(round.quality * 64)) < 1e-6 && round.quality > 0.1, String(round.quality));
  const bad = spawnSync(process.execPath, ['bin/edge-prune.js', 'plan', model, '--target', 'pixel7', '--data', join('samples', 'data'), '--search-images', '0', '--out', out], { encoding: 'utf8' });
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--search-images/);
});

test('`plan --data <unlabelled images>` on a detector compares candidates by per-output fidelity to its raw outputs', async () => {
  const out = await mkdtemp(join(tmpdir(), 'ep-plan-detector-'));
  const images = join(out, 'images');
  await mkdir(images);
  const files = (await readdir(join('samples', 'data', 'train'), { recursive: true })).filter((f) => f.endsWith('.jpg')).sort().slice(0, 32);
  await Promise.all(files.map((f, k) => copyFile(join('samples', 'data', 'train', f), join(images, `img${k}.jpg`))));
  const args = ['bin/edge-prune.js', 'plan', 'test/fixtures/onnx/yolov8-raw-opset13.onnx', '--target', 'pixel7', '--latency-ms', '1.76', '--data', images, '--search-images', '16', '--out', out, '--json'];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { met: boolean; measure: string; floor: { value: number } };
  assert.equal(json.met, true);
  assert.equal(json.measure, 'output fidelity');
  assert.equal(json.floor.value, 0.5, 'the output-fidelity floor');
  const rounds = (await readFile(join(out, 'history.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { quality: number });
  for (const round of rounds) assert.ok(round.quality > 0.5 && round.quality < 1, `1 − mean relative error of a pruned candidate: ${round.quality}`);
});
