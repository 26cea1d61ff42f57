// Helpers of the property-based fuzzer: JSON mutations drawn by fast-check and the "typed error or valid result" check.
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { isEdgePruneError } from '../../src/core/errors.ts';
import type { Json } from './corpus-base.ts';
import { listOutput } from './materialize.ts';
import { checkOutput, runPipeline } from './run-case.ts';

/** Seed of every property (override with FUZZ_SEED to explore; a failure prints its seed and path). */
export const FUZZ_SEED = Number(process.env['FUZZ_SEED'] ?? 20240611);

/** One edit of a JSON document, drawn by fast-check and applied at a path chosen by `pick`. */
export interface JsonEdit {
  pick: number;
  op: 'replace' | 'delete' | 'rename' | 'number' | 'duplicate' | 'swap';
  value: unknown;
  n: number;
}

/** Arbitrary JSON edits (small JSON values, small integers). */
export const jsonEdit: fc.Arbitrary<JsonEdit> = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom('replace', 'delete', 'rename', 'number', 'duplicate', 'swap'),
  value: fc.jsonValue({ maxDepth: 2 }),
  n: fc.integer({ min: -4, max: 9 }),
});

/** Every path of a JSON value (inner nodes and leaves), skipping the root. */
export function allPaths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => allPaths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const k of Object.keys(value)) allPaths(value[k], [...prefix, k], out);
  return out;
}

/** Apply an edit to a JSON document in place; `names` are strings worth swapping in (layer names). */
export function applyEdit(doc: Json, edit: JsonEdit, names: readonly string[]): void {
  const paths = allPaths(doc);
  if (paths.length === 0) return;
  const path = paths[edit.pick % paths.length] as (string | number)[];
  const key = path[path.length - 1] as string | number;
  let parent = doc;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const current = parent[key];
  switch (edit.op) {
    case 'replace':
      parent[key] = edit.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case 'rename':
      parent[key] = names[Math.abs(edit.n) % names.length] ?? 'x';
      break;
    case 'number':
      parent[key] = typeof current === 'number' ? (edit.n % 2 === 0 ? current * edit.n : current + edit.n) : edit.n;
      break;
    case 'duplicate':
      if (Array.isArray(parent)) parent.push(structuredClone(current));
      else parent[`${String(key)}_${edit.n}`] = structuredClone(current);
      break;
    case 'swap':
      if (Array.isArray(parent) && parent.length > 1) {
        const other = Math.abs(edit.n) % parent.length;
        [parent[key as number], parent[other]] = [parent[other], current];
      }
      break;
  }
}

/** Fail unless `error` is a typed EdgePruneError (not INTERNAL). */
export function requireTyped(error: unknown): void {
  if (error instanceof assert.AssertionError) throw error;
  if (!isEdgePruneError(error) || error.code === 'INTERNAL') {
    const e = error as Error;
    assert.fail(`expected an EdgePruneError, got ${e?.name}: ${e?.message}\n${e?.stack?.split('\n').slice(0, 6).join('\n')}`);
  }
}

/** Run a sync or async step: returns 'ok', or 'error' for a typed error; anything else fails the property. */
export async function typedOrOk(step: () => unknown): Promise<'ok' | 'error'> {
  try {
    await step();
    return 'ok';
  } catch (error) {
    requireTyped(error);
    return 'error';
  }
}

/**
 * Write files into a fresh folder under `work`, run the prune pipeline, and check: a typed error
 * with nothing written, or an output that loads back.
 */
export async function pipelineOnFiles(work: string, files: Record<string, Uint8Array | string>, criterion = 'fscl'): Promise<'ok' | 'error'> {
  const dir = join(work, 'case');
  const out = join(work, 'out');
  await rm(work, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), data);
  try {
    const result = await typedOrOk(() => runPipeline(dir, out, files['plan.json'] ? { plan: 'plan.json' } : {}, criterion));
    if (result === 'ok') assert.equal(await checkOutput(out), undefined, 'the written bundle loads back');
    else assert.deepEqual(await listOutput(out), [], 'nothing written after an error');
    return result;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
