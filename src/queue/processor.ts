// The sandboxed processor BullMQ forks for each worker slot: runs one job in a child process, so CPU-heavy work never stalls the worker's queue connection.
import { runJob, type ExtraJobRunner } from './run-job.ts';
import type { JobResult } from './payloads.ts';

/** Environment variables the worker sets for its children (set by the operator's command, never by a job). */
export const STORE_ENV = 'EDGE_PRUNE_QUEUE_STORE';
/** Module that exports `jobRunners` for extra job kinds (e.g. the criteria benchmark's rows). */
export const EXTRA_ENV = 'EDGE_PRUNE_QUEUE_EXTRA';

let extra: Promise<Record<string, ExtraJobRunner>> | undefined;

/** Extra job runners named by the worker's operator, loaded once per child. */
function extraRunners(): Promise<Record<string, ExtraJobRunner>> {
  const module = process.env[EXTRA_ENV];
  extra ??= module ? import(module).then((m: { jobRunners?: Record<string, ExtraJobRunner> }) => m.jobRunners ?? {}) : Promise.resolve({});
  return extra;
}

/** BullMQ's entry: the job's data is the payload; the store folder comes from the worker. */
export default async function processJob(job: { data: unknown }): Promise<JobResult> {
  const root = process.env[STORE_ENV];
  if (!root) throw new Error(`${STORE_ENV} is not set: start workers with \`edge-prune worker --store <dir>\``);
  return runJob(job.data, root, await extraRunners());
}
