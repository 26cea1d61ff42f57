// Property-based fuzzing of the loaders, topology parser and plan reader: always a typed EdgePruneError or a valid result.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import type { ModelBundle, PrunePlan } from '../../src/core/types.ts';
import { parseManifest } from '../../src/bundle/manifest.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { validatePlan } from '../../src/prune/validate-plan.ts';
import { scoreModel } from '../../src/score/score-model.ts';
import { planFromRatios } from '../../src/search/ratio-plan.ts';
import { firstShard, layersOf, loadBases, nameOf, type BaseFixture } from './corpus-base.ts';
import { validPlan } from './corpus-plans.ts';
import { applyEdit, FUZZ_SEED, jsonEdit, pipelineOnFiles, typedOrOk } from './fuzz-helpers.ts';

const NAMES = ['chain', 'inception', 'squeeze-excite', 'mobilenetv2'] as const;
let bases: Map<string, BaseFixture>;
const bundles = new Map<string, ModelBundle>();
let work: string;

before(async () => {
  bases = await loadBases(NAMES);
  for (const name of NAMES) bundles.set(name, await readBundle(join((bases.get(name) as BaseFixture).dir, 'model.json')));
  work = await mkdtemp(join(tmpdir(), 'ep-fuzz-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Layer and weight names of a base, the strings a mutation swaps in to rewire the graph. */
function namesOf(base: BaseFixture): string[] {
  return [...layersOf(base.model).map(nameOf), ...base.model.weightsManifest[0].weights.map((w: { name: string }) => w.name)];
}

/** Outcomes seen by a property, to check it reaches both accepted and rejected inputs. */
function tally(): { seen: Record<'ok' | 'error', number>; add: (r: 'ok' | 'error') => void } {
  const seen = { ok: 0, error: 0 };
  return { seen, add: (r) => { seen[r] += 1; } };
}

const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: FUZZ_SEED, numRuns, endOnFailure: true });

test('mutated model.json (topology and manifest): typed error or a pruned bundle that loads back', async () => {
  const t = tally();
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...NAMES), fc.array(jsonEdit, { minLength: 1, maxLength: 3 }), fc.constantFrom('fscl', 'l1', 'fpgm', 'bn-scale'), async (name, edits, criterion) => {
      const base = bases.get(name) as BaseFixture;
      const model = structuredClone(base.model);
      for (const edit of edits) applyEdit(model, edit, namesOf(base));
      const shard = firstShard(base);
      t.add(await pipelineOnFiles(join(work, 'model'), { 'model.json': JSON.stringify(model), [shard]: base.shards.get(shard) as Uint8Array }, criterion));
    }),
    params(400),
  );
  assert.ok(t.seen.ok > 20 && t.seen.error > 20, JSON.stringify(t.seen));
});

test('rewired topology (random inbound edges, cycles included): typed error or a consistent analysis', async () => {
  const t = tally();
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('inception', 'mobilenetv2', 'squeeze-excite'), fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 }), async (name, rewires) => {
      const bundle = bundles.get(name) as ModelBundle;
      const topology = structuredClone(bundle.topology) as Record<string, unknown>;
      const layers = layersOf({ modelTopology: topology });
      for (const [a, b] of rewires) {
        const refs = layers[a % layers.length].inbound_nodes?.[0];
        if (refs?.length) refs[0][0] = nameOf(layers[b % layers.length]);
      }
      const mutated = { ...bundle, topology };
      const result = await typedOrOk(() => {
        const analysis = analyzeModel(mutated);
        const scores = scoreModel('fscl', { bundle: mutated, graph: analysis.graph, groups: analysis.groups, seed: 1 });
        applyPlan(mutated, analysis.groups, planFromRatios(analysis.groups, scores, 0.5));
      });
      t.add(result);
    }),
    params(600),
  );
  assert.ok(t.seen.ok > 20 && t.seen.error > 20, JSON.stringify(t.seen));
});

test('random shard bytes (garbage, flips, truncation, growth): typed error or a valid result', async () => {
  const base = bases.get('chain') as BaseFixture;
  const shardName = firstShard(base);
  const shard = base.shards.get(shardName) as Uint8Array;
  const bytesArb = fc.oneof(
    fc.uint8Array({ maxLength: shard.length + 8 }),
    fc.uint8Array({ minLength: shard.length, maxLength: shard.length }),
    fc.array(fc.tuple(fc.nat({ max: shard.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 16 }).map((flips) => {
      const copy = new Uint8Array(shard);
      for (const [at, b] of flips) copy[at] = b;
      return copy;
    }),
    fc.integer({ min: -64, max: 64 }).map((d) => (d < 0 ? shard.subarray(0, shard.length + d) : new Uint8Array([...shard, ...new Uint8Array(d)]))),
  );
  const t = tally();
  await fc.assert(
    fc.asyncProperty(bytesArb, async (data) => {
      t.add(await pipelineOnFiles(join(work, 'shard'), { 'model.json': base.modelText, [shardName]: data }));
    }),
    params(300),
  );
  assert.ok(t.seen.ok > 10 && t.seen.error > 10, JSON.stringify(t.seen));
});

test('random valid plans on real groups: applyPlan succeeds and every group shrinks by exactly its drops', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('inception', 'mobilenetv2', 'squeeze-excite'), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 64, maxLength: 64 }), async (name, coins) => {
      const bundle = bundles.get(name) as ModelBundle;
      const { groups } = analyzeModel(bundle);
      let k = 0;
      const coin = (): number => coins[k++ % coins.length] as number;
      const plan: PrunePlan = { version: 1, criterion: 'fuzz', groups: [] };
      for (const g of groups.filter((x) => !x.locked)) {
        const threshold = coin();
        const drop = Array.from({ length: g.size }, (_, i) => i).filter(() => coin() < threshold);
        if (drop.length === g.size) drop.pop();
        plan.groups.push({ id: g.id, size: g.size, drop });
      }
      const pruned = applyPlan(bundle, groups, plan);
      const after = new Map(analyzeModel(pruned).groups.map((g) => [g.id, g.size]));
      for (const entry of plan.groups) assert.equal(after.get(entry.id), entry.size - entry.drop.length, `group ${entry.id}`);
    }),
    params(150),
  );
});

test('mutated and arbitrary plans: INVALID_PLAN or applied, and validatePlan agrees with applyPlan', async () => {
  const t = tally();
  const planArb = fc.oneof(
    fc.tuple(fc.constantFrom('inception', 'mobilenetv2'), fc.array(jsonEdit, { minLength: 1, maxLength: 3 })).map(([name, edits]) => {
      const base = bases.get(name) as BaseFixture;
      const plan = structuredClone(validPlan(base)) as unknown;
      for (const e of edits) applyEdit(plan, e, base.groups.map((g) => g.id));
      return { name, plan };
    }),
    fc.tuple(fc.constantFrom('inception', 'mobilenetv2'), fc.jsonValue({ maxDepth: 4 })).map(([name, plan]) => ({ name, plan })),
  );
  await fc.assert(
    fc.asyncProperty(planArb, async ({ name, plan }) => {
      const bundle = bundles.get(name) as ModelBundle;
      const { groups } = analyzeModel(bundle);
      const valid = await typedOrOk(() => validatePlan(groups, plan));
      const applied = await typedOrOk(() => applyPlan(bundle, groups, plan as PrunePlan));
      assert.equal(applied, valid, 'applyPlan fails exactly when validatePlan does');
      t.add(valid);
    }),
    params(800),
  );
  assert.ok(t.seen.ok > 20 && t.seen.error > 20, JSON.stringify(t.seen));
});

test('arbitrary weightsManifest values: typed error or parsed groups', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 5 }), fc.array(fc.record({ paths: fc.jsonValue({ maxDepth: 2 }), weights: fc.array(fc.jsonValue({ maxDepth: 3 })) }))), async (manifest) => {
      await typedOrOk(() => parseManifest(manifest, 'fuzz/model.json'));
    }),
    params(1000),
  );
});

test('arbitrary model.json text and topology values: typed error, never another exception', async () => {
  const base = bases.get('chain') as BaseFixture;
  const shardName = firstShard(base);
  const shard = base.shards.get(shardName) as Uint8Array;
  const textArb = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ modelTopology: v, weightsManifest: base.model.weightsManifest })),
    fc.nat({ max: base.modelText.length - 1 }).map((cut) => base.modelText.slice(0, cut)),
  );
  await fc.assert(
    fc.asyncProperty(textArb, async (text) => {
      await pipelineOnFiles(join(work, 'text'), { 'model.json': text, [shardName]: shard });
    }),
    params(300),
  );
});
