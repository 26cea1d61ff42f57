// ONNX import fidelity and round trip: every fixture reproduces the original in onnxruntime, and exports back to the same conventions.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { createInt64Tensor, decodeModel, encodeModel } from '../../src/export/onnx-tensors.ts';
import { importOnnx } from '../../src/import/onnx/import-onnx.ts';
import { predictOutputs } from '../../src/runtime/layers-model.ts';
import { ONNX_FIXTURE_NAMES, compareToReference, fixturePath, runOnnxReference, seededInput, withoutFinalSoftmax } from './helpers.ts';

const work = await mkdtemp(join(tmpdir(), 'edge-prune-onnx-fidelity-'));
after(() => rm(work, { recursive: true, force: true }));

/** Names and dims of a graph's inputs/outputs: dims as numbers, or the symbolic name. */
function describeIo(bytes: Uint8Array): { inputs: string[]; outputs: string[]; inputDims: (number | string)[] } {
  const graph = decodeModel(bytes).graph!;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name));
  const dims = inputs[0]?.type?.tensorType?.shape?.dim ?? [];
  return {
    inputs: inputs.map((i) => i.name as string),
    outputs: (graph.output ?? []).map((o) => o.name as string),
    inputDims: dims.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue))),
  };
}

describe('ONNX import reproduces the original model', () => {
  for (const name of ONNX_FIXTURE_NAMES) {
    it(`${name}: import matches onnxruntime, and import → export onnx round-trips`, async (t) => {
      const path = fixturePath(name);
      const bundle = await importOnnx(path);
      const { data, shape } = seededInput(name, 3);
      const [reference] = await runOnnxReference(path, data, shape);
      const [got] = await predictOutputs(withoutFinalSoftmax(bundle), data, shape);
      const fidelity = compareToReference(reference!, got!);
      assert.ok(fidelity.maxDiff <= fidelity.tolerance, `${name}: max |diff| ${fidelity.maxDiff} > ${fidelity.tolerance} (logits)`);
      assert.ok(reference!.some((v) => Math.abs(v) > 1e-3), 'the reference is not trivially zero');

      const outDir = join(work, name);
      await exportBundle(bundle, { formats: ['onnx'], outDir });
      const exported = join(outDir, 'onnx/model.onnx');
      const source = describeIo(new Uint8Array(await readFile(path)));
      const written = describeIo(new Uint8Array(await readFile(exported)));
      assert.deepEqual(written.inputs, source.inputs, 'same input names');
      assert.deepEqual(written.outputs, source.outputs, 'same output names');
      assert.equal(typeof written.inputDims[0], 'string', 'dynamic batch axis');
      assert.deepEqual(written.inputDims.slice(1), [3, 32, 32], 'NCHW input');
      const [again] = await runOnnxReference(exported, data, shape);
      const trip = compareToReference(reference!, again!);
      assert.ok(trip.maxDiff <= trip.tolerance, `${name}: round trip max |diff| ${trip.maxDiff} > ${trip.tolerance}`);
      t.diagnostic(`${name}: import max |diff| ${fidelity.maxDiff.toExponential(2)}, round trip ${trip.maxDiff.toExponential(2)} (tolerance ${fidelity.tolerance.toExponential(2)})`);
    });
  }

  it('opset 18 (ReduceMean axes as an input): efficientnet rewritten from opset 13 imports and matches onnxruntime', async () => {
    // PyTorch 1.13 exports up to opset 17; between 13 and 18 only ReduceMean changes for this model.
    const model = decodeModel(new Uint8Array(await readFile(fixturePath('efficientnet-opset13'))));
    model.opsetImport = [{ domain: '', version: 18 }];
    model.irVersion = 8;
    let rewritten = 0;
    for (const node of model.graph!.node!) {
      if (node.opType !== 'ReduceMean') continue;
      const axes = node.attribute!.find((a) => a.name === 'axes')!;
      const name = `${node.name}/axes`;
      model.graph!.initializer!.push(createInt64Tensor(name, [axes.ints!.length], axes.ints!.map(Number)));
      node.input!.push(name);
      node.attribute = node.attribute!.filter((a) => a.name !== 'axes');
      rewritten++;
    }
    assert.ok(rewritten > 0, 'the model has ReduceMean nodes to rewrite');
    const path = join(work, 'efficientnet-opset18.onnx');
    await writeFile(path, encodeModel(model));
    const bundle = await importOnnx(path);
    const { data, shape } = seededInput('opset18', 2);
    const [reference] = await runOnnxReference(path, data, shape);
    const [got] = await predictOutputs(bundle, data, shape);
    const fidelity = compareToReference(reference!, got!);
    assert.ok(fidelity.maxDiff <= fidelity.tolerance, `max |diff| ${fidelity.maxDiff} > ${fidelity.tolerance}`);
  });
});
