// The label-free search measure on seeded inputs covers every raw output of a detector, not only the first.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { importOnnx } from '../../src/import/onnx/import-onnx.ts';
import { fidelityEvaluator, seededInputs } from '../../src/search/fidelity.ts';
import { ONNX_FIXTURE_DIR } from '../import/helpers.ts';

test('a detector whose last output (p5) is negated scores 1/3 on seeded inputs: the mean over outputs of the centred cosine', async () => {
  const bundle = await importOnnx(join(ONNX_FIXTURE_DIR, 'yolov8-raw-opset13.onnx'));
  const shape = [2, 64, 64, 3];
  const evaluate = await fidelityEvaluator(bundle, seededInputs(shape, 3), shape);
  // The two 1×1 head convs of the third scale write p5 (box and class maps, concatenated).
  const negated = bundle.weights.map((w) => (/^head_cv[23]\.2_cv[23]\.2\.2_Conv\//.test(w.name) ? { ...w, data: w.data.map((v) => -v) } : w));
  assert.equal(negated.filter((w, k) => w !== bundle.weights[k]).length, 4, 'kernel and bias of both p5 head convs');
  assert.ok(Math.abs((await evaluate(bundle)) - 1) < 1e-6, 'the unpruned model follows itself');
  const score = await evaluate({ ...bundle, weights: negated });
  assert.ok(Math.abs(score - 1 / 3) < 1e-3, `p3 and p4 agree (cosine 1), p5 is opposite (cosine −1): ${score}`);
});
