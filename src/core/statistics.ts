// The one statistics module: mean, median (mean of the two middle values), nearest-rank percentiles, run summaries.
import { fail } from './errors.ts';

/** A sorted copy (ascending) of `values`. */
export function sortAscending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Arithmetic mean; NaN for an empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * The median: the middle value of an odd count, the mean of the two middle values of an even
 * count (so the median of [1, 2, 3, 4] is 2.5); NaN for an empty list.
 */
export function median(values: readonly number[]): number {
  const s = sortAscending(values);
  const n = s.length;
  if (n === 0) return Number.NaN;
  const m = n >> 1;
  return n % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * The q-quantile (q in [0, 1]) by the nearest-rank method: the ⌈q·n⌉-th smallest value (the
 * smallest for q = 0), always one of the values, never interpolated. NaN for an empty list.
 * p90 of 10 runs is the 9th smallest; p95 of 20 is the 19th.
 */
export function percentile(values: readonly number[], q: number): number {
  const s = sortAscending(values);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

/** Median, p90 (nearest rank), min and max of a list of run times. */
export interface RunSummary {
  medianMs: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
}

/**
 * Summarize run times with `median` and `percentile` (so min ≤ median ≤ p90 ≤ max always holds);
 * INTERNAL when there are no runs or a run is not a finite, non-negative time.
 */
export function summarizeRuns(runsMs: readonly number[]): RunSummary {
  if (runsMs.length === 0 || runsMs.some((v) => !Number.isFinite(v) || v < 0)) {
    fail('INTERNAL', {
      expected: 'one or more finite, non-negative run times',
      found: runsMs.length === 0 ? 'no runs' : `[${runsMs.slice(0, 5).join(', ')}${runsMs.length > 5 ? ', ...' : ''}]`,
      where: 'measurement summary',
      hint: 'the runtime reported no usable timings; rerun with --debug',
    });
  }
  const sorted = sortAscending(runsMs);
  return { medianMs: median(sorted), p90Ms: percentile(sorted, 0.9), minMs: sorted[0] as number, maxMs: sorted[sorted.length - 1] as number };
}
