// The one statistics module: the median and percentile conventions every figure of verify, calibrate and the benches uses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mean, median, percentile, summarizeRuns } from '../../src/core/statistics.ts';

test('median: middle value of an odd count, mean of the two middle values of an even count', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.ok(Number.isNaN(median([])));
});

test('percentile: nearest rank (the ⌈q·n⌉-th smallest), never interpolated', () => {
  const ten = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  assert.equal(percentile(ten, 0.9), 9);
  assert.equal(percentile(ten, 0.5), 5, 'nearest-rank p50 of an even count is the lower middle, unlike the median');
  assert.equal(percentile(ten, 0), 1);
  assert.equal(percentile(ten, 1), 10);
  const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.equal(percentile(twenty, 0.95), 19);
  for (const q of [0.1, 0.33, 0.5, 0.77, 0.99]) assert.ok(twenty.includes(percentile(twenty, q)), `p${q * 100} is one of the values`);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

test('summarizeRuns uses median and percentile; mean is the arithmetic mean', () => {
  const runs = [5, 1, 3, 2, 4, 10, 6, 7, 8, 9];
  assert.deepEqual(summarizeRuns(runs), { medianMs: median(runs), p90Ms: percentile(runs, 0.9), minMs: 1, maxMs: 10 });
  assert.equal(mean(runs), 5.5);
  assert.throws(() => summarizeRuns([1, Number.NaN]), { name: 'EdgePruneError' });
});
