// The coefficient fit recovers known coefficients; a small real calibration run on tfjs-wasm is well formed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ProfileSchema, OP_KINDS } from '../../src/core/schemas.ts';
import { applyCalibration, calibrateHost } from '../../src/search/calibrate.ts';
import { calibrationProbes } from '../../src/search/calibration-probes.ts';
import { fitCoefficients, type FitSample } from '../../src/search/fit-latency.ts';
import type { LayerWork } from '../../src/search/layer-work.ts';
import { predictFromWork, type LatencyCoefficients } from '../../src/search/latency-model.ts';
import { loadProfile } from '../../src/search/load-targets.ts';
import { solveNnls } from '../../src/search/nnls.ts';

test('NNLS solves an exact system and clips a negative coefficient to zero', () => {
  const exact = solveNnls([[1, 0], [0, 2], [1, 1]], [2, 6, 5]);
  assert.ok(Math.abs(exact[0]! - 2) < 1e-9 && Math.abs(exact[1]! - 3) < 1e-9, String(exact));
  const clipped = solveNnls([[1, 0], [1, 1]], [1, 0]);
  assert.ok(clipped.every((v) => v >= 0), String(clipped));
  assert.ok(Math.abs(clipped[1]!) < 1e-12);
});

test('the fit recovers the coefficients that generated the samples', () => {
  const truth: LatencyCoefficients = {
    inferenceOverheadMs: 0.02,
    layerOverheadMs: 0.004,
    cacheMb: 8,
    bandwidthGBs: 12,
    throughputGops: { conv: 16, depthwise: 4, dense: 11, batchnorm: 0.2, clip: 0.25, activation: 0.6, pool: 1.4, elementwise: 1.3 },
    fuses: [],
  };
  const layer = (i: number, kind: (typeof OP_KINDS)[number], work: number, bytes: number): LayerWork => ({
    name: `l${i}`, className: 'X', ops: [{ kind, work }], macs: work, weightElements: 0, bytes, executed: true,
  });
  const samples: FitSample[] = [];
  let i = 0;
  for (const n of [1, 10, 40]) samples.push({ id: `chain${n}`, works: Array.from({ length: n }, () => layer(i++, 'elementwise', 8, 64)), measuredMs: 0 });
  OP_KINDS.forEach((kind, k) => {
    for (const work of [1e4, 1e5, 1e6, 5e6]) samples.push({ id: `${kind}${work}`, works: [layer(i++, kind, work * (k + 1), work)], measuredMs: 0 });
  });
  // Layers streaming far beyond the cache pin the bandwidth.
  for (const mb of [40, 80, 160]) samples.push({ id: `stream${mb}`, works: [layer(i++, 'dense', 1e6, mb * 1024 * 1024)], measuredMs: 0 });
  for (const s of samples) s.measuredMs = predictFromWork(s.works, truth, { profile: 't', runtime: 'tfjs-wasm' }).totalMs;
  const fit = fitCoefficients(samples, 'max', [4, 8, 16]);
  const rel = (a: number, b: number) => Math.abs(a - b) / b;
  assert.equal(fit.coefficients.cacheMb, 8);
  assert.ok(rel(fit.coefficients.bandwidthGBs, 12) < 1e-3, `bandwidth ${fit.coefficients.bandwidthGBs}`);
  assert.ok(rel(fit.coefficients.layerOverheadMs, 0.004) < 1e-3, `overhead ${fit.coefficients.layerOverheadMs}`);
  for (const kind of OP_KINDS) assert.ok(rel(fit.coefficients.throughputGops[kind], truth.throughputGops[kind]) < 1e-3, `${kind}: ${fit.coefficients.throughputGops[kind]}`);
  assert.ok(fit.residuals.every((r) => Math.abs(r.errorPct) < 0.1));
});

test('a short calibration on tfjs-wasm reports predicted vs measured and yields a valid profile', async () => {
  const wanted = ['relu-chain-1', 'relu-chain-24', 'conv3x3s1-16x16x64-128', 'dw3x3s1-32x32x64', 'dense-1024-1000', 'bn-32x32x64', 'relu6-32x32x64', 'sigmoid-32x32x64', 'maxpool-32x32x64', 'add-32x32x64', 'vgg16-cifar-w0.5'];
  const probes = calibrationProbes().filter((p) => wanted.includes(p.id));
  assert.equal(probes.length, wanted.length);
  const report = await calibrateHost({ runtime: 'tfjs-wasm', warmup: 1, runs: 3, rounds: 1, statistic: 'median', probes });
  assert.match(report.runtimeVersion, /wasm/);
  assert.equal(report.probes.length, wanted.length);
  assert.equal(report.check.count, 1);
  for (const p of report.probes) {
    assert.ok(p.measuredMs > 0 && p.predictedMs > 0 && Number.isFinite(p.errorPct), p.id);
    assert.ok(p.minMs <= p.medianMs && p.medianMs <= p.p90Ms, p.id);
  }
  const profile = applyCalibration(loadProfile('host'), report);
  const parsed = ProfileSchema.parse(profile);
  const wasm = parsed.runtimes['tfjs-wasm']!;
  assert.equal(wasm.throughputGops.conv.basis, 'measured');
  assert.equal(wasm.calibration?.shapes, report.fit.count);
  await assert.rejects(
    calibrateHost({ runtime: 'tfjs-webgl', warmup: 0, runs: 1, rounds: 1, statistic: 'median', probes }),
    (e: unknown) => e instanceof Error && 'code' in e && e.code === 'BACKEND_UNAVAILABLE',
  );
});

test('`edge-prune targets --json` lists every target with its budget', () => {
  const run = spawnSync(process.execPath, ['bin/edge-prune.js', 'targets', '--json'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const rows = JSON.parse(run.stdout) as Array<{ name: string; profile: string; runtime: string; budget: { latencyMs: number; memoryMb: number } }>;
  assert.ok(rows.length >= 6);
  for (const r of rows) {
    assert.equal(typeof r.name, 'string');
    assert.equal(typeof r.profile, 'string');
    assert.equal(typeof r.runtime, 'string');
    assert.ok(r.budget.latencyMs > 0 && r.budget.memoryMb > 0);
  }
  const text = spawnSync(process.execPath, ['bin/edge-prune.js', 'targets'], { encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /pixel7-webgl/);
  assert.match(text.stdout, /latency ms/);
});
