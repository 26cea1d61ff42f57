// The coefficient fit recovers known coefficients; a small real calibration run on tfjs-wasm is well formed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileSchema, OP_KINDS } from '../../src/core/schemas.ts';
import { applyCalibration, calibrateHost } from '../../src/latency/calibration/calibrate.ts';
import { calibrationProbes } from '../../src/latency/calibration/calibration-probes.ts';
import { fitCoefficients, type FitSample } from '../../src/latency/calibration/fit-latency.ts';
import { paddedWork, type LayerWork } from '../../src/latency/layer-work.ts';
import { predictFromWork, type LatencyCoefficients } from '../../src/latency/latency-model.ts';
import { loadProfile } from '../../src/targets/load-targets.ts';
import { loadSampleBases, pruneVariant } from '../../src/latency/calibration/latency-fit-set.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { solveNnls } from '../../src/latency/calibration/nnls.ts';

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
    channelBlock: 1,
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

test('the fit recovers known coefficients from weighted whole-network rows (relative error, NNLS)', () => {
  const truth: LatencyCoefficients = {
    inferenceOverheadMs: 0.03,
    layerOverheadMs: 0.006,
    cacheMb: 4,
    bandwidthGBs: 20,
    throughputGops: { conv: 15, depthwise: 3.5, dense: 10, batchnorm: 0.25, clip: 0.2, activation: 0.5, pool: 1.2, elementwise: 1.4 },
    fuses: [],
    channelBlock: 1,
  };
  const kinds = OP_KINDS;
  let seed = 7;
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const layer = (i: number, kind: (typeof OP_KINDS)[number], work: number, bytes: number): LayerWork => ({
    name: `l${i}`, className: 'X', ops: [{ kind, work }], macs: kind === 'conv' || kind === 'dense' || kind === 'depthwise' ? work : 0, weightElements: 0, bytes, executed: true,
  });
  // Networks: 10–60 layers of mixed kinds and sizes, some streaming beyond the cache.
  const samples: FitSample[] = Array.from({ length: 40 }, (_, n) => {
    const works = Array.from({ length: 10 + Math.floor(rand() * 50) }, (_, i) => {
      const kind = kinds[Math.floor(rand() * kinds.length)]!;
      const work = 10 ** (3 + rand() * 4);
      const bytes = rand() < 0.1 ? (8 + rand() * 60) * 1024 * 1024 : work * (kind === 'conv' ? 0.05 : 8);
      return layer(i, kind, work, bytes);
    });
    return { id: `net${n}`, works, measuredMs: 0, weight: n % 2 === 0 ? 1 : 0.2 };
  });
  for (const s of samples) s.measuredMs = predictFromWork(s.works, truth, { profile: 't', runtime: 'tfjs-wasm' }).totalMs;
  const fit = fitCoefficients(samples, 'max', [2, 4, 8]);
  const rel = (a: number, b: number) => Math.abs(a - b) / b;
  assert.equal(fit.coefficients.cacheMb, 4);
  assert.ok(rel(fit.coefficients.layerOverheadMs, truth.layerOverheadMs) < 1e-3, `overhead ${fit.coefficients.layerOverheadMs}`);
  assert.ok(rel(fit.coefficients.inferenceOverheadMs, truth.inferenceOverheadMs) < 1e-2, `inference ${fit.coefficients.inferenceOverheadMs}`);
  for (const kind of OP_KINDS) assert.ok(rel(fit.coefficients.throughputGops[kind], truth.throughputGops[kind]) < 1e-2, `${kind}: ${fit.coefficients.throughputGops[kind]}`);
  assert.ok(fit.residuals.every((r) => Math.abs(r.errorPct) < 0.5), JSON.stringify(fit.residuals.slice(0, 3)));
});

test('conv work pads channels to the block: outputs always, inputs from one block up, depthwise per channel', () => {
  const near = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-9 * b, `${a} vs ${b}`);
  const conv = { kind: 'conv' as const, work: 1000, channels: { in: 24, out: 40 } };
  assert.equal(paddedWork(conv, 1), 1000);
  near(paddedWork(conv, 16), (1000 * (32 / 24) * 48) / 40);
  near(paddedWork({ ...conv, channels: { in: 3, out: 40 } }, 16), (1000 * 48) / 40);
  near(paddedWork({ kind: 'depthwise', work: 900, channels: { in: 40, out: 40 } }, 16), (900 * 48) / 40);
  assert.equal(paddedWork({ kind: 'dense', work: 500 }, 16), 500);
});

test('the fit finds the channel block of a runtime that pads channels to 16', () => {
  const truth: LatencyCoefficients = {
    inferenceOverheadMs: 0.02,
    layerOverheadMs: 0.003,
    cacheMb: 8,
    bandwidthGBs: 30,
    throughputGops: { conv: 100, depthwise: 40, dense: 20, batchnorm: 1.5, clip: 1.4, activation: 1.1, pool: 3, elementwise: 1.4 },
    fuses: [],
    channelBlock: 16,
  };
  let seed = 11;
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  // Conv chains whose widths are multiples of 8, as pruning with rounding 8 leaves them.
  const samples: FitSample[] = Array.from({ length: 30 }, (_, n) => {
    let cin = 3;
    const works = Array.from({ length: 6 }, (_, i): LayerWork => {
      const cout = 8 * (1 + Math.floor(rand() * 12));
      const work = 16 * 16 * 9 * cin * cout;
      const w: LayerWork = { name: `c${i}`, className: 'Conv2D', ops: [{ kind: 'conv', work, channels: { in: cin, out: cout } }], macs: work, weightElements: 9 * cin * cout, bytes: 4 * (16 * 16 * (cin + cout)), executed: true };
      cin = cout;
      return w;
    });
    return { id: `net${n}`, works, measuredMs: 0 };
  });
  for (const s of samples) s.measuredMs = predictFromWork(s.works, truth, { profile: 't', runtime: 'onnxruntime-node' }).totalMs;
  const fit = fitCoefficients(samples, 'max', [8]);
  assert.equal(fit.coefficients.channelBlock, 16);
  assert.ok(fit.residuals.every((r) => Math.abs(r.errorPct) < 0.5), JSON.stringify(fit.residuals.slice(0, 3)));
  const unpadded = fitCoefficients(samples, 'max', [8], [], [1]);
  assert.ok(unpadded.residuals.some((r) => Math.abs(r.errorPct) > 2), 'without the block the fit cannot explain the padded convs');
});

test('pruned sample variants are seeded: the same seed gives the same widths, other seeds other widths', async () => {
  const [vgg, resnet] = await loadSampleBases();
  for (const base of [vgg!, resnet!]) {
    const widths = (seed: number): number[] => pruneVariant(base, seed).bundle.weights.filter((w) => w.name.endsWith('/kernel')).map((w) => w.shape[w.shape.length - 1]!);
    assert.deepEqual(widths(5), widths(5));
    assert.notDeepEqual(widths(5), widths(1005));
    const pruned = pruneVariant(base, 5).bundle;
    assert.ok(analyzeModel(pruned).cost.macs < analyzeModel(base.bundle).cost.macs, base.name);
    for (const w of widths(5).slice(0, -1)) assert.equal(w % 8, 0, `${base.name}: width ${w} is a multiple of 8`);
  }
});

test('a short calibration on tfjs-wasm reports predicted vs measured and yields a valid profile', async () => {
  const wanted = ['relu-chain-1', 'relu-chain-24', 'conv3x3s1-16x16x64-128', 'dw3x3s1-32x32x64', 'dense-1024-1000', 'bn-32x32x64', 'relu6-32x32x64', 'sigmoid-32x32x64', 'maxpool-32x32x64', 'add-32x32x64', 'vgg16-cifar-w0.5'];
  const probes = calibrationProbes().filter((p) => wanted.includes(p.id));
  assert.equal(probes.length, wanted.length);
  const [vgg] = await loadSampleBases();
  const networks = { fit: [pruneVariant(vgg!, 1)], check: [pruneVariant(vgg!, 2001)] };
  const report = await calibrateHost({ runtime: 'tfjs-wasm', warmup: 1, runs: 3, rounds: 2, statistic: 'median', residency: 'alone', probes, networks });
  assert.match(report.runtimeVersion, /wasm/);
  assert.equal(report.probes.length, wanted.length + 2);
  assert.equal(report.check.count, 2);
  assert.equal(report.fitNetworks.count, 1);
  assert.deepEqual(report.probes.filter((p) => p.kind === 'network').map((p) => p.id), ['vgg16-cifar-w0.5', 'sample-vgg#1', 'sample-vgg#2001']);
  for (const p of report.probes) {
    assert.ok(p.measuredMs > 0 && p.predictedMs > 0 && Number.isFinite(p.errorPct), p.id);
    assert.ok(p.minMs <= p.medianMs && p.medianMs <= p.p90Ms, p.id);
  }
  const profile = applyCalibration(loadProfile('host'), report);
  const parsed = ProfileSchema.parse(profile);
  const wasm = parsed.runtimes['tfjs-wasm']!;
  assert.equal(wasm.throughputGops.conv.basis, 'measured');
  assert.equal(wasm.calibration?.shapes, report.fit.count);
  assert.deepEqual(Object.keys(wasm.calibration?.anchors ?? {}), ['sample-vgg#1'], 'the one anchor network timed');
  await assert.rejects(
    calibrateHost({ runtime: 'tfjs-webgl', warmup: 0, runs: 1, rounds: 1, statistic: 'median', residency: 'pool', probes, networks }),
    (e: unknown) => e instanceof Error && 'code' in e && e.code === 'BACKEND_UNAVAILABLE',
  );
});

test('a short onnxruntime-node calibration times each model alone at 1 thread and records the sample networks as anchors', async () => {
  const probes = calibrationProbes().filter((p) => ['relu-chain-1', 'relu-chain-24', 'conv3x3s1-16x16x64-128', 'add-32x32x64'].includes(p.id));
  const [vgg] = await loadSampleBases();
  const networks = { fit: [pruneVariant(vgg!, 0), pruneVariant(vgg!, 1), pruneVariant(vgg!, 2)], check: [pruneVariant(vgg!, 2001)] };
  const report = await calibrateHost({ runtime: 'onnxruntime-node', warmup: 1, runs: 2, rounds: 2, statistic: 'min', residency: 'alone', probes, networks });
  assert.equal(report.threads, 1);
  assert.equal(report.residency, 'alone');
  assert.ok([1, 8, 16].includes(report.coefficients.channelBlock), String(report.coefficients.channelBlock));
  const ort = ProfileSchema.parse(applyCalibration(loadProfile('host'), report)).runtimes['onnxruntime-node']!;
  const anchor = report.probes.find((p) => p.id === 'sample-vgg#0')!;
  assert.deepEqual(Object.keys(ort.calibration?.anchors ?? {}), ['sample-vgg#0', 'sample-vgg#1', 'sample-vgg#2']);
  assert.ok(Math.abs(ort.calibration!.anchors!['sample-vgg#0']! - anchor.minMs) <= 1e-3 * anchor.minMs);
  assert.equal(ort.channelBlock?.value, report.coefficients.channelBlock);
  assert.equal(ort.calibration?.residency, 'alone');
});
