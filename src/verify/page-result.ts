// What the benchmark page posts back, validated, and waiting for it with a deadline.
import { z } from 'zod';
import { type EdgePruneError, fail } from '../core/errors.ts';
import { RUNTIMES } from '../core/schemas.ts';
import { findNonLoopback } from './browser.ts';
import type { RawTiming } from './types.ts';

const MAX_RUNS = 100_000;

const timingSchema = z.strictObject({
  runtime: z.enum(RUNTIMES),
  backend: z.string().min(1).max(40),
  runtimeVersion: z.string().min(1).max(200),
  threads: z.number().int().positive().max(1024),
  simd: z.boolean(),
  firstRunMs: z.number().finite().nonnegative(),
  warmup: z.number().int().nonnegative().max(MAX_RUNS),
  runsMs: z.array(z.number().finite().nonnegative()).min(1).max(MAX_RUNS),
  peakMemoryBytes: z.number().finite().nonnegative().nullable(),
  peakMemorySource: z.string().max(200).nullable(),
});

const resultSchema = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    timing: timingSchema,
    userAgent: z.string().max(1000),
    crossOriginIsolated: z.boolean(),
    violations: z.array(z.string().max(2000)).max(1000),
  }),
  z.strictObject({
    ok: z.literal(false),
    error: z.string().max(10_000),
    userAgent: z.string().max(1000),
    violations: z.array(z.string().max(2000)).max(1000),
  }),
]);

/** A page's successful result. */
export interface PageResult {
  timing: RawTiming;
  userAgent: string;
  crossOriginIsolated: boolean;
  /** Content-Security-Policy violations the page saw (blocked loads). */
  violations: string[];
}

/**
 * Validate a posted body: a page error becomes BACKEND_UNAVAILABLE with the page's message; a body
 * that is not a result is INTERNAL (the page and this code disagree).
 */
export function parsePageResult(body: unknown, where: string): PageResult {
  const parsed = resultSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail('INTERNAL', { expected: 'a benchmark result from the page', found: `${issue?.message ?? 'invalid'} at ${issue?.path.join('.') || '(top level)'}`, where, hint: 'the page and edge-prune versions disagree; report this bug' });
  }
  const r = parsed.data;
  if (!r.ok) {
    fail('BACKEND_UNAVAILABLE', { expected: 'the bundle to load and run in the page', found: r.error, where: `${where} (${r.userAgent})`, hint: 'check that the browser supports the target runtime (WebAssembly SIMD, WebGL 2); rerun with --debug' });
  }
  return { timing: r.timing, userAgent: r.userAgent, crossOriginIsolated: r.crossOriginIsolated, violations: r.violations };
}

/** Wait for a promise with a deadline; on timeout throw BACKEND_UNAVAILABLE built by `onTimeout`. */
export async function waitWithDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => EdgePruneError, extra: Promise<never>[] = []): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, deadline, ...extra]);
  } finally {
    clearTimeout(timer);
  }
}

/** Fail when the page requested anything beyond loopback or the browser blocked a load. */
export function assertLoopbackOnly(requests: readonly string[], violations: readonly string[], where = 'benchmark page'): void {
  const outside = findNonLoopback(requests);
  if (outside.length > 0 || violations.length > 0) {
    fail('INTERNAL', {
      expected: 'a benchmark page that requests loopback URLs only',
      found: outside.length > 0 ? `requests to ${outside.slice(0, 3).join(', ')}` : `blocked loads: ${violations.slice(0, 3).join('; ')}`,
      where,
      hint: 'the page must load every asset from the local server; report this bug',
    });
  }
}
