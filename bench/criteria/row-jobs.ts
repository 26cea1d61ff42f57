// Criteria-benchmark rows as queue jobs: `edge-prune worker --jobs bench/criteria/row-jobs.ts` runs them (from a source checkout, in the repository folder).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { silentLogger } from '../../src/core/logger.ts';
import type { ExtraJobRunner } from '../../src/queue/run-job.ts';
import { parseBenchOptions } from './options.ts';
import type { RowSpec, SampleContext } from './run-row.ts';

/** What a row job's stored spec holds: the benchmark's own arguments, the sample and the row. */
const rowJobSpec = z.strictObject({
  argv: z.array(z.string().max(4096)).max(64),
  sample: z.string().min(1).max(200),
  row: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('cut'), macsCut: z.number(), ratio: z.number().min(0).max(1), criterion: z.string(), seed: z.number().int().min(0) }),
    z.strictObject({ kind: z.literal('budget'), macsCut: z.number(), latencyMs: z.number().positive(), criterion: z.string(), seed: z.number().int().min(0) }),
  ]),
});

/** A row job's spec. */
export type RowJobSpec = z.infer<typeof rowJobSpec>;

const contexts = new Map<string, Promise<SampleContext | null>>();

/** The job runners this module adds to a worker. */
export const jobRunners: Record<string, ExtraJobRunner> = {
  'bench-row': async (raw) => {
    const spec = rowJobSpec.parse(raw);
    const options = parseBenchOptions(spec.argv);
    const sample = options.samples.find((s) => s.name === spec.sample);
    if (!sample) throw new Error(`bench row: sample ${spec.sample} is not in the row's arguments`);
    const { loadSample } = await import('./sample.ts');
    const key = JSON.stringify([spec.argv, spec.sample]);
    // The baseline goes to a worker-local scratch checkpoint: the coordinator keeps the only real one.
    if (!contexts.has(key)) contexts.set(key, loadSample(sample, options, [], join(tmpdir(), `ep-bench-worker-${process.pid}.jsonl`), silentLogger));
    const ctx = await (contexts.get(key) as Promise<SampleContext | null>);
    if (!ctx) throw new Error(`bench row: ${sample.model} is missing on this worker`);
    const { runRow } = await import('./run-row.ts');
    return runRow(ctx, spec.row as RowSpec, options, silentLogger);
  },
};
