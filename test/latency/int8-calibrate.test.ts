// int8 calibration (library): a short run times int8 QDQ exports beside float32 anchors, corrects for drift, and writes the int8 entry next to float32.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCalibration, calibrateHost } from '../../src/latency/calibration/calibrate.ts';
import { calibrationProbes } from '../../src/latency/calibration/calibration-probes.ts';
import { loadSampleBases, pruneVariant } from '../../src/latency/calibration/latency-fit-set.ts';
import { withDerivedInt8 } from '../../src/latency/calibration/int8-entry.ts';
import { ProfileSchema } from '../../src/core/schemas.ts';
import { loadProfile } from '../../src/targets/load-targets.ts';

test('a short int8 calibration on onnxruntime-node writes the int8 entry beside float32 and derives device entries from it', async () => {
  const probes = calibrationProbes().filter((p) => ['relu-chain-1', 'conv3x3s1-16x16x64-128', 'dw3x3s1-32x32x64', 'dense-1024-1000'].includes(p.id));
  const [vgg] = await loadSampleBases();
  const networks = { fit: [pruneVariant(vgg!, 0), pruneVariant(vgg!, 1)], check: [pruneVariant(vgg!, 2001)] };
  const host = loadProfile('host');
  const anchors = { 'sample-vgg#0': host.runtimes['onnxruntime-node']!.calibration!.anchors!['sample-vgg#0']! };
  const report = await calibrateHost({ runtime: 'onnxruntime-node', compute: 'int8', float32Anchors: anchors, warmup: 1, runs: 2, rounds: 1, statistic: 'min', residency: 'alone', probes, networks });
  assert.equal(report.compute, 'int8');
  assert.match(report.runtimeVersion, /int8 QDQ/);
  assert.ok(report.hostDrift > 0 && Number.isFinite(report.hostDrift));
  assert.equal(report.probes.length, probes.length + 3, 'the float32 anchor copies are timed but not fitted');
  const updated = ProfileSchema.parse(applyCalibration(host, report));
  const ort = updated.runtimes['onnxruntime-node']!;
  assert.deepEqual(ort.throughputGops, host.runtimes['onnxruntime-node']!.throughputGops, 'float32 costs untouched');
  assert.match(ort.int8!.throughputGops.conv.source, /int8 QDQ export.*host drift/);
  const pixel7 = ProfileSchema.parse(withDerivedInt8(loadProfile('pixel7'), updated));
  const web = pixel7.runtimes['onnxruntime-web']!;
  const ratio = ort.int8!.throughputGops.conv.value / ort.throughputGops.conv.value;
  assert.ok(Math.abs(web.int8!.throughputGops.conv.value / web.throughputGops.conv.value - ratio) <= 1e-3 * ratio + 1e-3, 'device int8 = device float32 × host int8/float32');
  await assert.rejects(calibrateHost({ runtime: 'tfjs-wasm', compute: 'int8', warmup: 0, runs: 1, rounds: 1, statistic: 'min', residency: 'alone', probes, networks }), /BACKEND_UNAVAILABLE|int8/);
});
