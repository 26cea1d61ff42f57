// The criteria benchmark's rows fanned out to queue workers: one job per row, each finished row appended to the checkpoint once.
import type { Logger } from '../../src/core/logger.ts';
import { openJobQueue } from '../../src/queue/job-queue.ts';
import { ContentStore } from '../../src/queue/store.ts';
import { putJson } from '../../src/queue/codec.ts';
import type { BenchOptions } from './options.ts';
import { appendCheckpoint, type BenchRow } from './records.ts';
import type { RowSpec } from './run-row.ts';
import type { RowJobSpec } from './row-jobs.ts';

/** Run `rows` as bench-row jobs; returns the failures (one line each). */
export async function runRowsOnQueue(rows: { sample: string; spec: RowSpec }[], options: BenchOptions, checkpoint: string, logger: Logger): Promise<string[]> {
  const queue = options.queue as NonNullable<BenchOptions['queue']>;
  const jobs = await openJobQueue(queue, logger);
  const store = new ContentStore(queue.store);
  const failures: string[] = [];
  let finished = 0;
  try {
    await Promise.all(rows.map(async ({ sample, spec }) => {
      const label = `${sample} ${spec.kind} ${Math.round(spec.macsCut * 100)}% ${spec.criterion} seed ${spec.seed}`;
      try {
        const job: RowJobSpec = { argv: options.rowArgv, sample, row: spec };
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
