// The sandboxed processor BullMQ forks for each worker slot: runs one job in a child process, so CPU-heavy work never stalls the worker's queue connection.
import { runJob, type ExtraJobRunner } from './run-job.ts';
import type { JobResult } from './payloads.ts';

/** Environment variables the worker sets for its children (set by the operator's command, never by a job). */
export const STORE_ENV = 'EDGE_PRUNE_QUEUE_STORE';
/** Module that exports `jobRunners` for extra job kinds (e.g. the criteria benchmark's rows). */
export const EXTRA_ENV = 'EDGE_PRUNE_QUEUE_EXTRA';
/** The worker's `--job-timeout`, in milliseconds. */
export const TIMEOUT_ENV = 'EDGE_PRUNE_QUEUE_JOB_TIMEOUT_MS';

let extra: Promise<Record<string, ExtraJobRunner>> | undefined;

/** Extra job runners named by the worker's operator, loaded once per child. */
function extraRunners(): Promise<Record<string, ExtraJobRunner>> {
  const module = process.env[EXTRA_ENV];
  extra ??= module ? import(module).then((m: { jobRunners?: Record<string, ExtraJobRunner> }) => m.jobRunners ?? {}) : Promise.resolve({});
  return extra;
}

/** The exit code of a child that ended itself over --job-timeout (as GNU `timeout`); the worker fails that job typed. */
export const TIMEOUT_EXIT_CODE = 124;

/** `work`'s result; when it runs longer than `ms`, `onTimeout` is called (once; the child exits there). */
export async function withJobTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  const timer = setTimeout(onTimeout, ms);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
  }
}

/** BullMQ's entry: the job's data is the payload; the store folder and the timeout come from the worker. */
export default async function processJob(job: { data: unknown }): Promise<JobResult> {
  const root = process.env[STORE_ENV];
  if (!root) throw new Error(`${STORE_ENV} is not set: start workers with \`edge-prune worker --store <dir>\``);
  const ms = Number(process.env[TIMEOUT_ENV] ?? 'NaN');
  const work = (async () => runJob(job.data, root, await extraRunners()))();
  if (!(ms > 0)) return work;
  // Exiting stops the job's work at once, and BullMQ never hands this child another job (it forks a fresh one).
  return withJobTimeout(work, ms, () => process.exit(TIMEOUT_EXIT_CODE));
}
