// The deployed (graph-model) form of a graph, and each profile's prediction of its own reference network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mobilenetV2Topology } from '../../src/latency/calibration/calibration-probes.ts';
import { TopologyBuilder, activation, addLayers, batchNorm, conv, dense, globalAveragePool } from '../../src/latency/calibration/probe-topology.ts';
import { FUSED_ACTIVATION, deployedGraph } from '../../src/latency/deployed-graph.ts';
import { predictLatency } from '../../src/latency/latency-model.ts';
import { graphOfTopology } from '../../src/latency/topology-graph.ts';
import { listProfiles, loadTarget } from '../../src/targets/load-targets.ts';
import { predictOnTarget } from '../../src/latency/target-predictor.ts';
import type { RuntimeName } from '../../src/core/schemas.ts';

test('BatchNormalization after a sole-reader conv folds away and tfjs-fused activations move into the conv', () => {
  const b = new TopologyBuilder();
  const x = b.input([8, 8, 3]);
  const c1 = conv(b, x, 4, 3, 1, { useBias: false }); // conv_1 → bn_1 → act_1 (relu6): all one fused op
  const y = activation(b, batchNorm(b, c1), 'relu6');
  const c2 = conv(b, y, 4, 3, 1, { useBias: false }); // conv_2 → bn_2 folds; the Add then reads conv_2 (no fused activation)
  const bn2 = batchNorm(b, c2);
  const sum = addLayers(b, [bn2, y]);
  const t = activation(b, sum, 'tanh'); // after an Add: stays
  const c3 = conv(b, t, 4, 1, 1, { useBias: false }); // conv_3 has no bias and no BN: its relu cannot fuse
  const r = activation(b, c3, 'relu');
  const out = dense(b, globalAveragePool(b, r), 5, 'softmax'); // softmax is not a fused activation
  const graph = graphOfTopology(b.build(x, out));
  const deployed = deployedGraph(graph);
  const names = deployed.nodes.map((n) => n.name);
  assert.deepEqual(names, ['input', 'conv_1', 'conv_2', 'add_1', 'act_2', 'conv_3', 'act_3', 'gap_1', 'dense_1']);
  const byName = new Map(deployed.nodes.map((n) => [n.name, n]));
  assert.equal(byName.get('conv_1')?.config[FUSED_ACTIVATION], 'relu6');
  assert.ok('bias' in (byName.get('conv_1')?.weights ?? {}), 'the folded BN gives conv_1 a bias');
  assert.equal(byName.get('conv_2')?.config[FUSED_ACTIVATION], undefined);
  assert.deepEqual(byName.get('add_1')?.inputs, ['conv_2', 'conv_1'], 'readers of removed layers read the producer');
  assert.equal(byName.get('conv_3')?.config[FUSED_ACTIVATION], undefined);
  assert.deepEqual(deployed.outputs, ['dense_1']);
  assert.equal(graph.nodes.length, 12, 'the input graph is untouched');
});

test('the Layers MobileNetV2 costs, once deployed, what its folded graph-model form costs, and less than as Layers', () => {
  const layers = graphOfTopology(mobilenetV2Topology(224, 1));
  const folded = graphOfTopology(mobilenetV2Topology(224, 1, { folded: true }));
  for (const profile of listProfiles()) {
    const a = predictLatency(deployedGraph(layers), profile, 'tfjs-wasm').totalMs;
    const f = predictLatency(deployedGraph(folded), profile, 'tfjs-wasm').totalMs;
    const l = predictLatency(layers, profile, 'tfjs-wasm').totalMs;
    assert.ok(Math.abs(a - f) < 1e-9 * f, `${profile.name}: ${a} vs ${f}`);
    assert.ok(l > 1.5 * a, `${profile.name}: Layers ${l.toFixed(1)} ms vs deployed ${a.toFixed(1)} ms`);
  }
});

test('every profile predicts its reference network within 10% of the reference latency', () => {
  const reference = deployedGraph(graphOfTopology(mobilenetV2Topology(224, 1)));
  let checked = 0;
  for (const profile of listProfiles()) {
    const refs: Array<[RuntimeName, number]> = [[profile.emulation.runtime, profile.emulation.reference.latencyMs]];
    for (const [runtime, model] of Object.entries(profile.runtimes)) if (model?.reference) refs.push([runtime as RuntimeName, model.reference.latencyMs]);
    for (const [runtime, ms] of refs) {
      assert.match(profile.runtimes[runtime]?.reference?.model ?? profile.emulation.reference.model, /MobileNet ?V2 1\.0 224/, `${profile.name} ${runtime}`);
      const predicted = predictLatency(reference, profile, runtime).totalMs;
      assert.ok(Math.abs(predicted - ms) <= 0.1 * ms, `${profile.name} ${runtime}: predicted ${predicted.toFixed(1)} ms, reference ${ms} ms`);
      checked++;
    }
  }
  assert.ok(checked >= listProfiles().length, `checked ${checked} references`);
});

test('a tfjs target predicts the graph-model bundle it deploys, and reports the Layers figure beside it', () => {
  const graph = graphOfTopology(mobilenetV2Topology(224, 1));
  const p = predictOnTarget(graph, loadTarget('pixel7'));
  assert.equal(p.deployed, 'tfjs-graph');
  assert.ok(p.layersLatencyMs > 1.5 * p.resources.latencyMs);
  const onnx = predictOnTarget(graph, loadTarget('pixel7-onnx'));
  assert.equal(onnx.layersLatencyMs, onnx.resources.latencyMs);
});
