// Criteria-benchmark rows as queue jobs: `edge-prune worker --jobs bench/criteria/row-jobs.ts` runs them, reading the model and data only from the store, by hash.
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { silentLogger } from '../../src/core/logger.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { decodeBundle, decodeDatasetBlob } from '../../src/queue/codec.ts';
import type { ContentStore, StoreRef } from '../../src/queue/store.ts';
import type { ExtraJobRunner } from '../../src/queue/run-job.ts';
import type { ImageDataset } from '../../src/data/dataset.ts';
import type { RowOptions, RowSpec, SampleContext } from './run-row.ts';

const ref = z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/) });

/** What a row job's stored spec holds: the sample's model and data as store hashes, its baseline, the row's settings and the row. */
const rowJobSpec = z.strictObject({
  sample: z.strictObject({
    name: z.string().min(1).max(200), model: ref, trainAll: ref, train: ref, test: ref,
    accBase: z.number().min(0).max(1), settings: z.string().max(1000),
  }),
  options: z.strictObject({
    round: z.number().int().min(1), bnImages: z.number().int().min(1), epochs: z.number().int().min(1),
    latencyRounds: z.number().int().min(1), latencyRuns: z.number().int().min(1), backend: z.enum(['auto', 'tfjs-node', 'wasm', 'cpu']).optional(),
  }),
  row: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('cut'), macsCut: z.number(), ratio: z.number().min(0).max(1), criterion: z.string().max(100), seed: z.number().int().min(0) }),
    z.strictObject({ kind: z.literal('budget'), macsCut: z.number(), latencyMs: z.number().positive(), criterion: z.string().max(100), seed: z.number().int().min(0) }),
  ]),
});

/** A row job's spec. */
export type RowJobSpec = z.infer<typeof rowJobSpec>;

/** This worker child's scratch folder (exports for the latency pair; nothing is read from outside the store). */
let scratch: Promise<string> | undefined;
/** The last sample context, by its inputs' hashes (a child usually runs the rows of one sample). */
let last: { key: string; ctx: Promise<SampleContext> } | undefined;

/** The sample of a spec: model and data fetched from the store and verified, the unpruned export in the scratch folder. */
function contextOf(spec: RowJobSpec, store: ContentStore): Promise<SampleContext> {
  const s = spec.sample;
  const key = JSON.stringify([s, spec.options.backend ?? null]);
  if (last?.key === key) return last.ctx;
  const data = async (r: StoreRef): Promise<ImageDataset> => decodeDatasetBlob(await store.get(r), `store:${r.sha256.slice(0, 12)}`);
  const ctx = (async (): Promise<SampleContext> => {
    const bundle = decodeBundle(await store.get(s.model), `store:${s.model.sha256.slice(0, 12)}`);
    scratch ??= mkdtemp(join(tmpdir(), 'ep-bench-worker-')).then((made) => {
      process.once('exit', () => rmSync(made, { recursive: true, force: true }));
      return made;
    });
    const dir = await scratch;
    const baseExport = join(dir, s.model.sha256.slice(0, 16), 'unpruned');
    if (!existsSync(join(baseExport, 'manifest.json'))) {
      const { exportBundle } = await import('../../src/export/export-bundle.ts');
      await exportBundle(bundle, { formats: ['tfjs', 'onnx'], outDir: baseExport, seed: 1 });
    }
    return { name: s.name, bundle, analysis: analyzeModel(bundle), accBase: s.accBase, baseExport, train: await data(s.train), trainAll: await data(s.trainAll), test: await data(s.test), settings: s.settings };
  })();
  last = { key, ctx };
  ctx.catch(() => (last = undefined));
  return ctx;
}

/** The job runners this module adds to a worker. */
export const jobRunners: Record<string, ExtraJobRunner> = {
  'bench-row': async (raw, store) => {
    const spec = rowJobSpec.parse(raw);
    const ctx = await contextOf(spec, store);
    const out = await mkdtemp(join(await (scratch as Promise<string>), 'row-'));
    const options: RowOptions = { ...spec.options, out };
    const { runRow } = await import('./run-row.ts');
    try {
      return await runRow(ctx, spec.row as RowSpec, options, silentLogger);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
};
