// Dense-prediction graph models (#22): channel Split/SplitV/Slice/StridedSlice and ResizeNearestNeighbor/ResizeBilinear import as ChannelSlice and up-sampling layers, a detector's own graph export re-imports and prunes.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { JsonObject, ModelBundle } from '../../src/core/types.ts';
import { attr } from '../../src/export/graph-context.ts';
import { importGraphModel } from '../../src/import/graph-model/import-graph-model.ts';
import { importOnnx } from '../../src/import/onnx/import-onnx.ts';
import { predictOutputs } from '../../src/runtime/layers-model.ts';
import { buildGraph } from '../../src/analyze/graph.ts';
import { findGroups } from '../../src/analyze/groups.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { randomInput } from '../fixtures/random.ts';
import { drawPlan, maxAbsDiff, zeroConsumers } from './prune-helpers.ts';
import { GraphDefWriter, fusedAttrs, windowAttrs } from './graph-def-writer.ts';
import { exportAsGraphModel, runGraphReference } from './graph-helpers.ts';
import { ONNX_FIXTURE_DIR } from './helpers.ts';
import { assertParity } from './parity-helpers.ts';

const dir = await mkdtemp(join(tmpdir(), 'edge-prune-graph-detector-'));
after(() => rm(dir, { recursive: true, force: true }));

/** Class names of a bundle's layers. */
function classes(bundle: ModelBundle): string[] {
  return ((bundle.topology['config'] as JsonObject)['layers'] as JsonObject[]).map((l) => l['class_name'] as string);
}

/** Pruned equals the unpruned model with the dropped channels zeroed at their consumers, on every output; a ChannelSlice shrinks with its group. */
async function assertPrunesOnEveryOutput(bundle: ModelBundle, input: Float32Array, shape: number[], seed: string): Promise<void> {
  const groups = findGroups(buildGraph(bundle));
  const plan = drawPlan(groups, seed);
  assert.ok(groups.some((g) => !g.locked && g.members.some((m) => m.role === 'config' && m.weight === 'size')), 'a ChannelSlice shrinks with its group');
  const original = await predictOutputs(bundle, input, shape);
  const pruned = await predictOutputs(applyPlan(bundle, groups, plan), input, shape);
  const zeroed = await predictOutputs(zeroConsumers(bundle, groups, plan), input, shape);
  pruned.forEach((p, k) => {
    assert.ok(maxAbsDiff(p, zeroed[k]!) <= 1e-4, `output ${k}: max |pruned - zeroed| ${maxAbsDiff(p, zeroed[k]!)}`);
    assert.ok(maxAbsDiff(zeroed[k]!, original[k]!) > 1e-3, `output ${k} changed (not vacuous)`);
  });
}

const I32 = { Index: { type: 'DT_INT32' } };

describe('dense-prediction graph models', () => {
  it('the YOLOv8-style detector exported as a graph model re-imports with its three outputs equal, and prunes', async () => {
    const source = await importOnnx(join(ONNX_FIXTURE_DIR, 'yolov8-raw-opset13.onnx'));
    const path = await exportAsGraphModel(source, join(dir, 'yolo'));
    const bundle = await importGraphModel(path);
    for (const c of ['ChannelSlice', 'UpSampling2D', 'Concatenate']) assert.ok(classes(bundle).includes(c), c);
    const shape = [2, 64, 64, 3];
    const input = randomInput(shape, 31);
    const got = await predictOutputs(bundle, input, shape);
    assert.equal(got.length, 3);
    assertParity(got, await predictOutputs(source, input, shape), 'yolov8 graph re-import');
    await assertPrunesOnEveryOutput(bundle, input, shape, 'graph-yolo');
  });

  it('Split, SplitV (with -1), StridedSlice (ellipsis, masks), nearest and bilinear resizes match tf.loadGraphModel and prune', async () => {
    const g = new GraphDefWriter(41);
    const x = g.input('image', [8, 8, 3]);
    const c1 = g.op('_FusedConv2D', [x, g.random('k1', [3, 3, 3, 8]), g.random('b1', [8])], 'conv1', { ...windowAttrs(), ...fusedAttrs(['BiasAdd', 'Relu']) });
    g.op('Split', [g.ints([3], []), c1], 'split', { num_split: attr.int(2) });
    const halves = g.op('Conv2D', ['split:1', g.random('k2', [3, 3, 4, 4])], 'conv2', windowAttrs());
    const joined = g.op('ConcatV2', ['split', halves, g.ints([-1], [])], 'cat', { N: attr.int(2), Tidx: { type: 'DT_INT32' } });
    g.op('SplitV', [joined, g.ints([2, -1, 3]), g.ints([-1], [])], 'splitv', { num_split: attr.int(3), Tlen: { type: 'DT_INT32' } });
    const mid = g.op('Conv2D', ['splitv:1', g.random('k3', [1, 1, 3, 6])], 'conv3', windowAttrs(2));
    const up = g.op('ResizeNearestNeighbor', [mid, g.ints([8, 8])], 'up_nearest', { align_corners: attr.bool(false), half_pixel_centers: attr.bool(true) });
    const fused = g.op('AddV2', [g.op('Conv2D', ['splitv:2', g.random('k4', [1, 1, 3, 6])], 'conv4', windowAttrs()), up], 'fuse');
    const head = g.op('StridedSlice', [fused, g.ints([0, 1]), g.ints([0, 5]), g.ints([1, 1])], 'head_slice', { ...I32, begin_mask: attr.int(0), end_mask: attr.int(0), ellipsis_mask: attr.int(1), new_axis_mask: attr.int(0), shrink_axis_mask: attr.int(0) });
    const boxes = g.op('Conv2D', [head, g.random('k5', [1, 1, 4, 4])], 'boxes', windowAttrs(2));
    g.op('ResizeBilinear', [boxes, g.ints([8, 8])], 'boxes_up', { align_corners: attr.bool(false), half_pixel_centers: attr.bool(true) });
    const tail = g.op('StridedSlice', [fused, g.ints([0, 0, 0, 3]), g.ints([0, 0, 0, 0]), g.ints([1, 1, 1, 1])], 'tail_slice', { ...I32, begin_mask: attr.int(7), end_mask: attr.int(15), ellipsis_mask: attr.int(0), new_axis_mask: attr.int(0), shrink_axis_mask: attr.int(0) });
    g.op('ResizeBilinear', [tail, g.ints([16, 16])], 'mask', { align_corners: attr.bool(false), half_pixel_centers: attr.bool(false) });
    const path = await g.write(join(dir, 'hand'), { signatureOutputs: ['boxes_up', 'mask'] });
    const bundle = await importGraphModel(path);
    const kinds = classes(bundle);
    assert.equal(kinds.filter((c) => c === 'ChannelSlice').length, 6, kinds.join(', '));
    assert.deepEqual(kinds.filter((c) => /UpSampling2D$/.test(c)), ['UpSampling2D', 'BilinearUpSampling2D', 'UpSampling2D']);
    const shape = [2, 8, 8, 3];
    const input = randomInput(shape, 42);
    assertParity(await predictOutputs(bundle, input, shape), await runGraphReference(path, input, shape), 'hand-built dense graph');
    await assertPrunesOnEveryOutput(bundle, input, shape, 'graph-hand');
  });

  it('a strided slice, a slice of H and a fractional resize are UNSUPPORTED_OP naming the node', async () => {
    const cases: [string, (g: GraphDefWriter, x: string) => void][] = [
      ['strided', (g, x) => g.op('StridedSlice', [x, g.ints([0, 0]), g.ints([0, 4]), g.ints([1, 2])], 'bad', { ...I32, ellipsis_mask: attr.int(1) })],
      ['rows', (g, x) => g.op('Slice', [x, g.ints([0, 1, 0, 0]), g.ints([-1, 2, -1, -1])], 'bad', I32)],
      ['resize', (g, x) => g.op('ResizeBilinear', [x, g.ints([6, 6])], 'bad', { align_corners: attr.bool(false) })],
    ];
    for (const [name, build] of cases) {
      const g = new GraphDefWriter(50);
      build(g, g.op('Conv2D', [g.input('image', [4, 4, 3]), g.random('k', [1, 1, 3, 4])], 'conv', windowAttrs()));
      await assert.rejects(importGraphModel(await g.write(join(dir, `bad-${name}`))), (e: Error & { code?: string; where?: string }) => {
        assert.equal(e.code, 'UNSUPPORTED_OP', name);
        assert.match(e.where ?? '', /node "bad"/);
        return true;
      });
    }
  });
});
