// The hostile-input corpus: a seeded generator of malformed inputs of every kind, mostly one-change mutations of real fixtures.
import { createRandom } from '../../src/core/random.ts';
import type { CorpusCase } from './case-types.ts';
import { editModel, loadBases, type BaseFixture } from './corpus-base.ts';
import { configCases, dataCases, leafPaths, setAt, wrongTyped } from './corpus-configs.ts';
import { layerCases } from './corpus-layers.ts';
import { badJsonCases, modelCase, topologyCases } from './corpus-model.ts';
import { onnxCases } from './corpus-onnx.ts';
import { outputCases } from './corpus-output.ts';
import { planCases, ratiosCases } from './corpus-plans.ts';
import { manifestCases, pathCases, quantizedCases, shardCases } from './corpus-weights.ts';

/** Seed of the committed corpus. */
export const CORPUS_SEED = 20240610;

/** Cases that always go through the real CLI too: the inputs most likely to crash, hang or eat memory. */
export const CLI_PICKS: readonly string[] = [
  'model/chain/deep nesting as config.layers',
  'model/chain/huge (65 MiB, sparse) model.json',
  'model/flatten-dense/model.json is a FIFO',
  'model/inception/long cycle through a concatenate',
  'path/flatten-dense/a FIFO as an extra shard',
  'path/flatten-dense/a folder as a shard whose size matches the manifest',
  'path/flatten-dense/symlink to a file outside',
  'shard/chain/sparse bomb: four 2^28 uint8 weights (1 GiB file, 4 GiB decoded)',
  'plan/inception/deeply nested version',
  'plan/mobilenetv2/drop a million unsorted indices',
  'ratios/inception/deeply nested ratio',
  'output/chain/out is an existing file',
  "output/chain/out is the model's own folder",
  'model/onnx-resnet/deep chain of 100000 Relu nodes',
  'model/onnx-external/external data through a link outside',
];

/** Options for building the corpus. */
export interface CorpusOptions {
  seed?: number;
  /** How many seeded wrong-type mutations of model.json fields to add (spread over the fixtures). */
  typeMutations?: number;
  /** Fixtures already loaded (loaded here when omitted). */
  bases?: Map<string, BaseFixture>;
}

/** One seeded wrong-typed field of model.json at a time, anywhere in topology or manifest. */
function typeMutationCases(bases: BaseFixture[], count: number, random: () => number): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const seen = new Set<string>();
  for (let k = 0; cases.length < count && k < count * 10; k++) {
    const base = bases[k % bases.length] as BaseFixture;
    const leaves = leafPaths(base.model).filter((p) => p.length > 1);
    const path = leaves[Math.floor(random() * leaves.length)] as (string | number)[];
    let current = base.model;
    for (const key of path) current = current[key];
    const value = wrongTyped(current, random);
    const what = `field ${path.join('.')} = ${JSON.stringify(value)}`;
    if (seen.has(`${base.name}/${what}`)) continue;
    seen.add(`${base.name}/${what}`);
    cases.push({ ...modelCase(base, what, editModel(base, (j) => setAt(j, path, value)), 'any'), id: `model/${base.name}/type ${what}` });
  }
  return cases;
}

/** Does the file hold the same JSON as `model` (formatting aside)? */
function sameJson(data: Uint8Array, model: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(Buffer.from(data).toString('utf8'))) === JSON.stringify(model);
  } catch {
    return false;
  }
}

/** Check ids are unique and every replaced file differs from the base's (no silent no-op mutation). */
function checkCorpus(cases: CorpusCase[], bases: Map<string, BaseFixture>): void {
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw new Error(`corpus: duplicate case id ${c.id}`);
    ids.add(c.id);
    const base = c.base === 'none' ? undefined : bases.get(c.base);
    const file = c.files['model.json'];
    if (base && file?.type === 'bytes' && sameJson(file.data, base.model)) throw new Error(`corpus: case ${c.id} leaves model.json unchanged`);
  }
}

/**
 * Build the whole corpus. The same seed gives the same cases in the same order. Profiles and
 * targets are mutated from the package's own files; data-folder cases are built even before a
 * data loader exists (the runner skips kinds without an adapter).
 */
export async function buildCorpus(options: CorpusOptions = {}): Promise<CorpusCase[]> {
  const random = createRandom(options.seed ?? CORPUS_SEED);
  const bases = options.bases ?? (await loadBases());
  const list = [...bases.values()];
  const cases = [
    ...badJsonCases(list, random),
    ...topologyCases(bases),
    ...layerCases(bases),
    ...typeMutationCases(list, options.typeMutations ?? 80, random),
    ...manifestCases(bases),
    ...(await quantizedCases(bases)),
    ...pathCases(bases),
    ...shardCases(bases, random),
    ...planCases(bases),
    ...ratiosCases(bases),
    ...outputCases(bases),
    ...configCases(random),
    ...(await dataCases(random)),
    ...(await onnxCases()),
  ];
  checkCorpus(cases, bases);
  for (const id of CLI_PICKS) {
    const c = cases.find((x) => x.id === id);
    if (!c) throw new Error(`corpus: CLI pick ${id} is not a case`);
    c.cli = true;
  }
  return cases;
}
