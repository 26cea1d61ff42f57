// Parity compares logits where a model ends in Softmax: a logit error that probabilities hide is caught.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareOutputs, centredLogRows, top1Accuracy } from '../../src/export/parity.ts';

/** Softmax of each row of `width` logits. */
function softmax(logits: number[], width: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r * width < logits.length; r++) {
    const row = logits.slice(r * width, (r + 1) * width);
    const max = Math.max(...row);
    const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
    row.forEach((v, i) => (out[r * width + i] = Math.exp(v - max) / sum));
  }
  return out;
}

test('a 0.5 error on a non-top logit is invisible in probabilities but fails parity as logits', () => {
  const ref = softmax([12, 0, -1, 11, 1, 0], 3);
  const got = softmax([12, 0.5, -1, 11, 1, 0.5], 3);
  const options = { precision: 'float32' as const, runtime: 'test', samples: 2, seed: 1, lastAxis: [3] };
  const asOutputs = compareOutputs([ref], [got], options);
  assert.ok(asOutputs.maxAbsDiff < 1e-4 && asOutputs.passed, `probabilities differ by only ${asOutputs.maxAbsDiff}`);
  const asLogits = compareOutputs([ref], [got], { ...options, softmax: [true] });
  assert.equal(asLogits.compared, 'logits');
  assert.ok(!asLogits.passed && asLogits.maxAbsDiff > 0.3, `logits differ by ${asLogits.maxAbsDiff}`);
});

test('centred log-probabilities recover centred logits, and top-1 accuracy counts arg-max hits', () => {
  const logits = [2, -1, 0.5, 3];
  const back = centredLogRows(softmax(logits, 4), 4);
  const mean = logits.reduce((a, b) => a + b, 0) / 4;
  logits.forEach((v, i) => assert.ok(Math.abs((back[i] as number) - (v - mean)) < 1e-5));
  assert.equal(top1Accuracy(Float32Array.of(0, 1, 1, 0, 0.2, 0.1), 2, [1, 0, 1]), 2 / 3);
});
