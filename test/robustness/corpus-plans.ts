// Corpus cases that attack plan.json and the --ratios file against real channel groups.
import type { ErrorCode } from '../../src/core/errors.ts';
import type { PrunePlan } from '../../src/core/types.ts';
import { json, text, type CorpusCase, type Expectation, type FileSpec } from './case-types.ts';
import { nestedArrays, type BaseFixture, type Json } from './corpus-base.ts';

/** A valid plan for a base: every unlocked group, dropping its first channel. */
export function validPlan(base: BaseFixture): PrunePlan {
  return {
    version: 1,
    criterion: 'fscl',
    groups: base.groups.filter((g) => !g.locked).map((g) => ({ id: g.id, size: g.size, drop: g.size > 1 ? [0] : [] })),
  };
}

/** A plan case: the base's files plus plan.json. */
function planCase(base: BaseFixture, what: string, file: FileSpec, expect: Expectation = 'error', codes: ErrorCode[] = ['INVALID_PLAN', 'INVALID_JSON']): CorpusCase {
  return { id: `plan/${base.name}/${what}`, kind: 'plan', base: base.name, files: { 'plan.json': file }, run: { plan: 'plan.json' }, expect, codes };
}

/** A ratios case: the base's files plus ratios.json. */
function ratiosCase(base: BaseFixture, what: string, file: FileSpec, expect: Expectation = 'error', codes: ErrorCode[] = ['INVALID_ARGUMENT', 'INVALID_PLAN', 'INVALID_JSON']): CorpusCase {
  return { id: `ratios/${base.name}/${what}`, kind: 'ratios', base: base.name, files: { 'ratios.json': file }, run: { ratios: 'ratios.json' }, expect, codes };
}

/** Hostile plans: wrong types, unknown or locked groups, bad indices, wrong sizes and versions. */
export function planCases(bases: Map<string, BaseFixture>): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const name of ['inception', 'mobilenetv2']) {
    const base = bases.get(name) as BaseFixture;
    const plan = validPlan(base);
    const open = base.groups.find((g) => !g.locked && g.size >= 4) as { id: string; size: number };
    const locked = base.groups.find((g) => g.locked) as { id: string; size: number };
    const p = (what: string, edit: (plan: Json) => void, expect: Expectation = 'error'): CorpusCase => {
      const copy = structuredClone(plan) as Json;
      edit(copy);
      return planCase(base, what, json(copy), expect);
    };
    const first = (j: Json): Json => j.groups.find((g: Json) => g.id === open.id);
    cases.push(
      planCase(base, 'valid plan (control)', json(plan), 'any'),
      planCase(base, 'invalid JSON', text('{"version": 1, "groups": [')),
      planCase(base, 'empty file', text('')),
      planCase(base, 'null', text('null')),
      planCase(base, 'a number', text('1')),
      planCase(base, 'a string', text('"plan"')),
      planCase(base, 'an array', json([plan])),
      planCase(base, 'deeply nested version', text(`{"version": ${nestedArrays(20_000)}, "groups": []}`)),
      planCase(base, 'deeply nested group entry', text(`{"version": 1, "groups": [${nestedArrays(20_000)}]}`)),
      p('empty object', (j) => { for (const k of Object.keys(j)) delete j[k]; }),
      p('version 2', (j) => { j.version = 2; }),
      p('version "1"', (j) => { j.version = '1'; }),
      p('version missing', (j) => { delete j.version; }),
      p('groups missing', (j) => { delete j.groups; }),
      p('groups an object', (j) => { j.groups = { [open.id]: first(j) }; }),
      p('group entry null', (j) => { j.groups.push(null); }),
      p('group entry a number', (j) => { j.groups.push(3); }),
      p('group id missing', (j) => { delete first(j).id; }),
      p('group id a number', (j) => { first(j).id = 1; }),
      p('unknown group', (j) => { j.groups.push({ id: 'no_such_layer', size: 4, drop: [0] }); }),
      p('group id __proto__', (j) => { j.groups.push({ id: '__proto__', size: 4, drop: [0] }); }),
      p('group id constructor', (j) => { j.groups.push({ id: 'constructor', size: 4, drop: [0] }); }),
      p('group named twice', (j) => { j.groups.push(structuredClone(first(j))); }),
      p('locked group with drops', (j) => { j.groups.push({ id: locked.id, size: locked.size, drop: [0] }); }),
      p('size wrong', (j) => { first(j).size += 1; }),
      p('size a string', (j) => { first(j).size = String(open.size); }),
      p('size missing', (j) => { delete first(j).size; }),
      p('drop missing', (j) => { delete first(j).drop; }),
      p('drop a string', (j) => { first(j).drop = '0,1'; }),
      p('drop an object', (j) => { first(j).drop = { 0: 0 }; }),
      p('drop negative index', (j) => { first(j).drop = [-1]; }),
      p('drop index = size', (j) => { first(j).drop = [open.size]; }),
      p('drop index 1e9', (j) => { first(j).drop = [1e9]; }),
      p('drop index 2^53', (j) => { first(j).drop = [2 ** 53]; }),
      p('drop fractional index', (j) => { first(j).drop = [0.5]; }),
      p('drop string index', (j) => { first(j).drop = ['0']; }),
      p('drop null index', (j) => { first(j).drop = [null]; }),
      p('drop unsorted', (j) => { first(j).drop = [2, 1]; }),
      p('drop duplicates', (j) => { first(j).drop = [1, 1]; }),
      p('drop every channel', (j) => { first(j).drop = Array.from({ length: open.size }, (_, i) => i); }),
      p('drop a million unsorted indices', (j) => { first(j).drop = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % open.size); }),
      p('100k unknown groups', (j) => { j.groups = Array.from({ length: 100_000 }, (_, i) => ({ id: `g${i}`, size: 1, drop: [] })); }),
      p('extra fields and empty drops (accepted)', (j) => { j.note = 'hello'; for (const g of j.groups) g.drop = []; }, 'any'),
    );
  }
  return cases;
}

/** Hostile --ratios files. */
export function ratiosCases(bases: Map<string, BaseFixture>): CorpusCase[] {
  const base = bases.get('inception') as BaseFixture;
  const open = base.groups.find((g) => !g.locked) as { id: string };
  const locked = base.groups.find((g) => g.locked) as { id: string };
  const r = (what: string, value: unknown, expect: Expectation = 'error'): CorpusCase => ratiosCase(base, what, json(value), expect);
  return [
    ratiosCase(base, 'invalid JSON', text('{"stem_conv": 0.3,')),
    ratiosCase(base, 'empty file', text('')),
    ratiosCase(base, 'ratio 1e309 (parses as Infinity)', text(`{"${open.id}": 1e309}`)),
    ratiosCase(base, 'deeply nested ratio', text(`{"${open.id}": ${nestedArrays(20_000)}}`)),
    r('null', null),
    r('an array', [0.3]),
    r('a string', '0.3'),
    r('a bare number (same as --ratio)', 0.3, 'any'),
    r('empty object (nothing dropped)', {}, 'any'),
    r('unknown group', { no_such_layer: 0.3 }),
    r('locked group', { [locked.id]: 0.3 }),
    r('ratio 1', { [open.id]: 1 }),
    r('ratio negative', { [open.id]: -0.1 }),
    r('ratio a string', { [open.id]: '0.3' }),
    r('ratio null', { [open.id]: null }),
    r('ratio an object', { [open.id]: { value: 0.3 } }),
    ratiosCase(base, 'key __proto__', text('{"__proto__": 0.3}')),
    r('key constructor', { constructor: 0.3 }),
    r('key toString', { toString: 0.3 }),
    r('ratio 0.999999 (keeps one channel)', { [open.id]: 0.999999 }, 'any'),
  ];
}
