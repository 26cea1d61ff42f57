// Detectors and dense-prediction models (#22): YOLOv8-style and U-Net ONNX fixtures import faithfully, prune through Split/Slice and Concat, export with their raw outputs.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildGraph } from '../../src/analyze/graph.ts';
import { findGroups } from '../../src/analyze/groups.ts';
import { isEdgePruneError } from '../../src/core/errors.ts';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { decodeModel } from '../../src/export/onnx-tensors.ts';
import { checkOnnxFidelity } from '../../src/import/onnx/check-fidelity.ts';
import { importOnnx } from '../../src/import/onnx/import-onnx.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { predictOutputs } from '../../src/runtime/layers-model.ts';
import { createRng, hashSeed } from '../fixtures/random.ts';
import { ONNX_FIXTURE_DIR, compareToReference, runOnnxReference } from './helpers.ts';
import { drawPlan, maxAbsDiff, zeroConsumers } from './prune-helpers.ts';

const work = await mkdtemp(join(tmpdir(), 'edge-prune-onnx-detector-'));
after(() => rm(work, { recursive: true, force: true }));

const YOLO = join(ONNX_FIXTURE_DIR, 'yolov8-raw-opset13.onnx');
const YOLO_DECODE = join(ONNX_FIXTURE_DIR, 'yolov8-decode-opset13.onnx');
const UNET = join(ONNX_FIXTURE_DIR, 'unet-opset11.onnx');

/** A seeded channels-last batch [n, 64, 64, 3]. */
function input(seed: string, n = 2): { data: Float32Array; shape: number[] } {
  const rng = createRng(hashSeed(seed));
  const shape = [n, 64, 64, 3];
  return { data: Float32Array.from({ length: n * 64 * 64 * 3 }, () => rng.normal(0.3, 1.5)), shape };
}

/** Layer class names of a bundle. */
function classes(bundle: Awaited<ReturnType<typeof importOnnx>>): Set<string> {
  return new Set(buildGraph(bundle).nodes.map((n) => n.className));
}

describe('dense-prediction ONNX models', () => {
  it('YOLOv8-style detector: Split, Resize, SiLU, SPPF and three outputs import within 1e-4 of onnxruntime on every output', async () => {
    const bundle = await importOnnx(YOLO);
    for (const c of ['ChannelSlice', 'UpSampling2D', 'MaxPooling2D', 'Concatenate', 'Add']) assert.ok(classes(bundle).has(c), c);
    const fidelity = await checkOnnxFidelity(YOLO, bundle);
    assert.deepEqual(fidelity.outputs.map((o) => o.name), ['p3', 'p4', 'p5']);
    for (const o of fidelity.outputs) assert.ok(o.maxAbsDiff <= fidelity.tolerance && o.maxAbsReference > 0.1, `${o.name}: ${o.maxAbsDiff}`);
  });

  it('U-Net: channel Slice and half-pixel bilinear Resize import within 1e-4 of onnxruntime', async () => {
    const bundle = await importOnnx(UNET);
    assert.ok(classes(bundle).has('ChannelSlice') && classes(bundle).has('BilinearUpSampling2D'));
    const fidelity = await checkOnnxFidelity(UNET, bundle);
    assert.deepEqual(fidelity.outputs.map((o) => o.name), ['mask']);
    assert.ok(fidelity.maxAbsDiff <= fidelity.tolerance);
  });

  it('C2f splits become separate groups; head convs are locked on outputs and prune their inputs', async () => {
    const graph = buildGraph(await importOnnx(YOLO));
    const groups = findGroups(graph);
    const split = groups.filter((g) => /cv1_conv_Conv@\d+$/.test(g.id));
    assert.equal(split.length, 8, 'one second half per C2f');
    for (const g of split) {
      const first = groups.find((x) => x.id === g.id.replace(/@\d+$/, ''));
      assert.ok(first && !first.locked && !g.locked && first.size === g.size, g.id);
      assert.ok(g.members.some((m) => m.role === 'config' && m.weight === 'size'), `${g.id}: its ChannelSlice size shrinks with it`);
    }
    const heads = graph.nodes.filter((n) => /^head_cv[23]\.\d_cv[23]\.\d\.2_Conv$/.test(n.name)).map((n) => n.name);
    assert.equal(heads.length, 6);
    for (const h of heads) {
      assert.ok(groups.find((g) => g.id === h)?.locked, `${h} output channels locked`);
      assert.ok(groups.some((g) => !g.locked && g.members.some((m) => m.layer === h && m.role === 'consumer')), `${h} input channels prunable`);
    }
  });

  for (const [name, path] of [['yolov8', YOLO], ['unet', UNET]] as const) {
    it(`${name}: pruned = zeroed consumers on every output; ONNX and TF.js graph exports keep the output names and shapes`, async () => {
      const bundle = await importOnnx(path);
      const groups = findGroups(buildGraph(bundle));
      const { data, shape } = input(name);
      const original = await predictOutputs(bundle, data, shape);
      const plan = drawPlan(groups, `${name}/a`);
      const pruned = applyPlan(bundle, groups, plan);
      const got = await predictOutputs(pruned, data, shape);
      const want = await predictOutputs(zeroConsumers(bundle, groups, plan), data, shape);
      assert.equal(got.length, original.length);
      got.forEach((g, k) => {
        assert.equal(g.length, original[k]?.length, `output ${k} keeps its shape`);
        assert.ok(maxAbsDiff(g, want[k]!) <= 1e-4, `output ${k}: max |pruned - zeroed| ${maxAbsDiff(g, want[k]!)}`);
        assert.ok(maxAbsDiff(want[k]!, original[k]!) > 1e-3, `output ${k} changed (not vacuous)`);
      });

      const outDir = join(work, name);
      const result = await exportBundle(pruned, { formats: ['tfjs-graph', 'onnx'], outDir });
      for (const f of result.formats) assert.ok(f.parity.passed, `${name} ${f.format}: parity ${f.parity.maxAbsDiff}`);
      const source = decodeModel(new Uint8Array(await readFile(path)));
      const model = decodeModel(new Uint8Array(await readFile(join(outDir, 'onnx/model.onnx'))));
      const dims = (m: typeof model): unknown[] => (m.graph?.output ?? []).map((o) => [o.name, ...(o.type?.tensorType?.shape?.dim ?? []).slice(1).map((d) => Number(d.dimValue))]);
      assert.deepEqual(dims(model), dims(source), 'same output names and NCHW shapes as the source');
      const fromOnnx = await runOnnxReference(join(outDir, 'onnx/model.onnx'), data, shape, false);
      fromOnnx.forEach((r, k) => {
        const parity = compareToReference(r, got[k]!);
        assert.ok(parity.maxDiff <= parity.tolerance, `${name} output ${k}: exported onnx vs tfjs ${parity.maxDiff}`);
      });
      const graphJson = JSON.parse(await readFile(join(outDir, 'tfjs-graph/model.json'), 'utf8')) as { signature?: { outputs?: Record<string, unknown> } };
      assert.equal(Object.keys(graphJson.signature?.outputs ?? {}).length, original.length, 'graph model: one signature output per raw output');
    });
  }

  it('a decode tail is refused naming its first node and the --outputs that cut it; those outputs import like the raw model', async () => {
    let hint = '';
    await assert.rejects(importOnnx(YOLO_DECODE), (e: unknown) => {
      assert.ok(isEdgePruneError(e) && e.code === 'UNSUPPORTED_OP');
      assert.match(e.found, /tail starting at node "\/head\/Reshape" \(Reshape/);
      hint = e.hint;
      return true;
    });
    const outputs = /--outputs (\S+)/.exec(hint)?.[1]?.split(',') ?? [];
    assert.equal(outputs.length, 3, hint);
    const cut = await importOnnx(YOLO_DECODE, { outputs });
    const fidelity = await checkOnnxFidelity(YOLO_DECODE, cut);
    assert.deepEqual(fidelity.outputs.map((o) => o.name), outputs);
    const { data, shape } = input('tail', 1);
    const [a, b] = [await predictOutputs(cut, data, shape), await predictOutputs(await importOnnx(YOLO), data, shape)];
    a.forEach((v, k) => assert.ok(maxAbsDiff(v, b[k]!) <= 1e-5, `output ${k} equals the raw model's`));
    await assert.rejects(importOnnx(YOLO_DECODE, { outputs: ['nope'] }), (e: unknown) => isEdgePruneError(e) && e.code === 'INVALID_ARGUMENT' && /"nope"/.test(e.message));
  });
});
