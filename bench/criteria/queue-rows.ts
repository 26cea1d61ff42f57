// The criteria benchmark's rows fanned out to queue workers: each sample's model and data put into the store once, one job per row (hashes only), each finished row appended to the checkpoint once.
import type { Logger } from '../../src/core/logger.ts';
import { openJobQueue } from '../../src/queue/job-queue.ts';
import { ContentStore } from '../../src/queue/store.ts';
import { putBundle, putDataset, putJson } from '../../src/queue/codec.ts';
import type { BenchOptions } from './options.ts';
import { appendCheckpoint, type BenchRow } from './records.ts';
import type { RowSpec, SampleContext } from './run-row.ts';
import type { RowJobSpec } from './row-jobs.ts';

/** Run `rows` as bench-row jobs; returns the failures (one line each). */
export async function runRowsOnQueue(rows: { ctx: SampleContext; spec: RowSpec }[], options: BenchOptions, checkpoint: string, logger: Logger): Promise<string[]> {
  const queue = options.queue as NonNullable<BenchOptions['queue']>;
  const jobs = await openJobQueue(queue, logger);
  const store = new ContentStore(queue.store);
  const samples = new Map<SampleContext, Promise<RowJobSpec['sample']>>();
  const stored = (ctx: SampleContext): Promise<RowJobSpec['sample']> => {
    const known = samples.get(ctx);
    if (known) return known;
    const made = (async () => ({
      name: ctx.name, model: await putBundle(store, ctx.bundle), trainAll: await putDataset(store, ctx.trainAll),
      train: await putDataset(store, ctx.train), test: await putDataset(store, ctx.test), accBase: ctx.accBase, settings: ctx.settings,
    }))();
    samples.set(ctx, made);
    return made;
  };
  const rowOptions: RowJobSpec['options'] = {
    round: options.round, bnImages: options.bnImages, epochs: options.epochs, latencyRounds: options.latencyRounds, latencyRuns: options.latencyRuns,
    ...(options.backend ? { backend: options.backend as NonNullable<RowJobSpec['options']['backend']> } : {}),
  };
  const failures: string[] = [];
  let finished = 0;
  try {
    await Promise.all(rows.map(async ({ ctx, spec }) => {
      const label = `${ctx.name} ${spec.kind} ${Math.round(spec.macsCut * 100)}% ${spec.criterion} seed ${spec.seed}`;
      try {
        const job: RowJobSpec = { sample: await stored(ctx), options: rowOptions, row: spec };
        const [row] = await jobs.run([{ kind: 'bench-row', version: 1, spec: await putJson(store, job) }]);
        await appendCheckpoint(checkpoint, row as BenchRow);
        finished += 1;
        logger.info(`[${finished}/${rows.length}] ${label} done on a worker`);
      } catch (error) {
        failures.push(`${label}: ${(error as Error).message}`);
      }
    }));
  } finally {
    await jobs.close();
  }
  return failures;
}
