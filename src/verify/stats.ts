// Summary statistics of timed runs: median, p90, min, max.
import { fail } from '../core/errors.ts';

/** Median, p90 (nearest rank), min and max of a list of run times. */
export interface RunSummary {
  medianMs: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
}

/**
 * Summarize run times. The median averages the two middle runs of an even count; p90 is the
 * nearest-rank percentile, so min ≤ median ≤ p90 ≤ max always holds.
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
  const sorted = [...runsMs].sort((a, b) => a - b);
  const n = sorted.length;
  const at = (i: number): number => sorted[Math.min(n - 1, Math.max(0, i))] as number;
  const medianMs = n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
  return { medianMs, p90Ms: at(Math.ceil(0.9 * n) - 1), minMs: at(0), maxMs: at(n - 1) };
}
