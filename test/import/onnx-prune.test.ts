// Imported ONNX models prune like any model (central property), and the pruned model exports to ONNX, TF.js and TF.js graph.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { countCost } from '../../src/analyze/cost.ts';
import { buildGraph } from '../../src/analyze/graph.ts';
import { findGroups } from '../../src/analyze/groups.ts';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { decodeModel } from '../../src/export/onnx-tensors.ts';
import { importOnnx } from '../../src/import/onnx/import-onnx.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { predictOutputs } from '../../src/runtime/layers-model.ts';
import { ONNX_FIXTURE_NAMES, compareToReference, fixturePath, runOnnxReference, seededInput } from './helpers.ts';
import { drawPlan, maxAbsDiff, zeroConsumers } from './prune-helpers.ts';

const work = await mkdtemp(join(tmpdir(), 'edge-prune-onnx-prune-'));
after(() => rm(work, { recursive: true, force: true }));

/** Largest allowed |pruned − zeroed| on the outputs. */
const TOLERANCE = 1e-5;

describe('imported ONNX models prune and export', () => {
  for (const name of ONNX_FIXTURE_NAMES) {
    it(`${name}: pruned = zeroed consumers; pruned exports to onnx, tfjs, tfjs-graph and runs in onnxruntime`, async () => {
      const bundle = await importOnnx(fixturePath(name));
      const graph = buildGraph(bundle);
      const groups = findGroups(graph);
      assert.ok(groups.some((g) => !g.locked), 'at least one unlocked group');
      const { data, shape } = seededInput(name, 2);
      const [original] = await predictOutputs(bundle, data, shape);
      let changed = false;
      let pruned = bundle;
      for (const seed of ['a', 'b']) {
        const plan = drawPlan(groups, `${name}/${seed}`);
        pruned = applyPlan(bundle, groups, plan);
        const [got] = await predictOutputs(pruned, data, shape);
        const [want] = await predictOutputs(zeroConsumers(bundle, groups, plan), data, shape);
        assert.ok(maxAbsDiff(got!, want!) <= TOLERANCE, `${name} plan ${seed}: max |pruned - zeroed| ${maxAbsDiff(got!, want!)}`);
        if (maxAbsDiff(want!, original!) > 1e-3) changed = true;
        assert.ok(countCost(buildGraph(pruned), pruned).params < countCost(graph, bundle).params, 'parameters shrink');
      }
      assert.ok(changed, 'some plan changes the output (the comparison is not vacuous)');

      const outDir = join(work, name);
      const result = await exportBundle(pruned, { formats: ['tfjs', 'tfjs-graph', 'onnx'], outDir });
      assert.deepEqual(result.formats.map((f) => f.format), ['tfjs', 'tfjs-graph', 'onnx']);
      const onnxPath = join(outDir, 'onnx/model.onnx');
      const model = decodeModel(new Uint8Array(await readFile(onnxPath)));
      assert.deepEqual(model.graph?.input?.map((i) => i.name), ['input'], 'source input name kept');
      assert.deepEqual(model.graph?.output?.map((o) => o.name), ['logits'], 'source output name kept');
      const dims = model.graph?.input?.[0]?.type?.tensorType?.shape?.dim ?? [];
      assert.deepEqual(dims.map((d) => d.dimParam || Number(d.dimValue)), ['batch', 3, 32, 32], 'NCHW with a dynamic batch axis');
      const [fromOnnx] = await runOnnxReference(onnxPath, data, shape, false);
      const [fromTfjs] = await predictOutputs(pruned, data, shape);
      const parity = compareToReference(fromTfjs!, fromOnnx!);
      assert.ok(parity.maxDiff <= parity.tolerance, `${name}: pruned onnx vs tfjs max |diff| ${parity.maxDiff}`);
    });
  }
});
