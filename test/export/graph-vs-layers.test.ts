// The deployed bundle and the Layers bundle of a MobileNetV2-style model compute the same outputs, and the graph model runs fused ops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { PARITY_TOLERANCE } from '../../src/export/parity.ts';
import { predictGraphModelFromDisk, predictLayersModelFromDisk } from '../../src/runtime/graph-model.ts';
import { seededInputs } from '../../src/search/fidelity.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';
import { readExportedBundle } from '../../src/verify/export-folder.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';

test('mobilenetv2: the graph-model bundle (BN folded, ReLU6 fused) matches the Layers bundle within the float32 export tolerance', async () => {
  const bundle = await readBundle(await ensureFixture('mobilenetv2'));
  const dir = await mkdtemp(join(tmpdir(), 'ep-graph-layers-'));
  try {
    await exportBundle(bundle, { formats: ['tfjs', 'tfjs-graph'], outDir: join(dir, 'out') });
    const graphJson = JSON.parse(await readFile(join(dir, 'out', 'tfjs-graph', 'model.json'), 'utf8')) as { modelTopology: { node: { op: string; name: string; attr: Record<string, { list?: { s?: string[] } }> }[] } };
    const nodes = graphJson.modelTopology.node as { op: string; name: string }[];
    assert.ok(!nodes.some((n) => n.op.startsWith('FusedBatchNorm') || /_bn(\/|$)/.test(n.name)), 'no BatchNormalization left');
    const fusedRelu6 = graphJson.modelTopology.node.filter((n) => n.op.includes('Fused') && (n.attr['fused_ops']?.list?.s ?? []).some((s) => Buffer.from(s, 'base64').toString() === 'Relu6'));
    assert.ok(fusedRelu6.length >= 3, `ReLU6 fused into convs and depthwise convs (${fusedRelu6.length})`);
    const shape = [4, 32, 32, 3];
    const input = seededInputs(shape, 7);
    const [layers] = await predictLayersModelFromDisk(join(dir, 'out', 'tfjs', 'model.json'), input, shape);
    const [graph] = await predictGraphModelFromDisk(join(dir, 'out', 'tfjs-graph', 'model.json'), input, shape);
    assert.ok(layers && graph && layers.length === graph.length && layers.length === 4 * 10);
    let maxAbs = 0;
    let maxDiff = 0;
    for (let i = 0; i < layers.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(layers[i] as number));
      maxDiff = Math.max(maxDiff, Math.abs((layers[i] as number) - (graph[i] as number)));
    }
    assert.ok(maxDiff <= PARITY_TOLERANCE.float32 * Math.max(1, maxAbs), `max |graph − layers| ${maxDiff} within ${PARITY_TOLERANCE.float32} × max(1, ${maxAbs})`);
    assert.ok(maxDiff > 0 || maxAbs > 0, 'the comparison saw real outputs');
    // Verify measures what the target deploys: the graph model on TF.js targets, the Layers model only when asked.
    assert.equal((await readExportedBundle(join(dir, 'out'), loadTarget('pixel7').target)).format, 'tfjs-graph');
    assert.equal((await readExportedBundle(join(dir, 'out'), loadTarget('pixel7').target, { format: 'tfjs' })).format, 'tfjs');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
