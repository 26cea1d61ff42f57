// int8 latency (library): per-kind int8 costs come from the profile's calibrated int8 entry, and a real model's prediction changes with the encoding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { OP_KINDS } from '../../src/core/schemas.ts';
import { loadProfile, loadTarget } from '../../src/targets/load-targets.ts';
import { coefficientsOf, predictLatency } from '../../src/latency/latency-model.ts';
import { encodingChoices } from '../../src/latency/encodings.ts';
import { predictOnTarget } from '../../src/latency/target-predictor.ts';

test('int8 per-kind costs are the calibration file\'s; the sample VGG\'s prediction changes with the encoding', async () => {
  const file = JSON.parse(readFileSync('profiles/host.json', 'utf8'));
  const stored = file.runtimes['onnxruntime-node'].int8;
  assert.ok(stored, 'profiles/host.json has calibrated int8 costs for onnxruntime-node');
  const profile = loadProfile('host');
  const int8 = coefficientsOf(profile, 'onnxruntime-node', 'int8');
  const float32 = coefficientsOf(profile, 'onnxruntime-node');
  for (const k of OP_KINDS) assert.equal(int8.throughputGops[k], stored.throughputGops[k].value, k);
  assert.equal(int8.inferenceOverheadMs, stored.inferenceOverheadMs.value);
  assert.notDeepEqual(int8.throughputGops, float32.throughputGops);
  const graph = analyzeModel(await readBundle('samples/vgg/model.json')).graph;
  const f = predictLatency(graph, profile, 'onnxruntime-node').totalMs;
  const q = predictLatency(graph, profile, 'onnxruntime-node', 'int8').totalMs;
  assert.ok(f > 0 && q > 0 && Math.abs(q - f) / f > 0.01, `float32 ${f} ms vs int8 ${q} ms`);
  assert.throws(() => coefficientsOf(profile, 'tfjs-wasm', 'int8'), /int8 costs/);
});

test('a device target with int8 compute predicts int8 from its derived entry; a tfjs target offers no int8', async () => {
  const onnx = loadTarget('pixel7-onnx');
  assert.equal(onnx.profile.runtimes['onnxruntime-web']?.int8?.throughputGops.conv.basis, 'derived');
  assert.deepEqual(encodingChoices(onnx, 'float32'), ['float32', 'float16', 'uint8', 'int8']);
  assert.deepEqual(encodingChoices(loadTarget('pixel7'), 'float32'), ['float32', 'float16', 'uint8']);
  assert.deepEqual(encodingChoices(loadTarget('pixel7'), 'uint8'), ['uint8'], 'never less compact than the source');
  const graph = analyzeModel(await readBundle('samples/vgg/model.json')).graph;
  const f = predictOnTarget(graph, onnx, undefined, 'float32');
  const q = predictOnTarget(graph, onnx, undefined, 'int8');
  assert.notEqual(q.latency.totalMs, f.latency.totalMs);
  assert.ok(q.memory.modelSizeMb < f.memory.modelSizeMb / 3, 'int8 weights take a byte');
});
