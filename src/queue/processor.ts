// The sandboxed processor BullMQ forks for each worker slot: runs one job in a child process, so CPU-heavy work never stalls the worker's queue connection.
import { UnrecoverableError } from 'bullmq';
import { runJob, type ExtraJobRunner } from './run-job.ts';
import { TIMEOUT_REASON, type JobResult } from './payloads.ts';

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

/**
 * `work`, or, when it runs longer than `ms`, an UnrecoverableError (BullMQ fails the job at once,
 * without retries) whose message starts with TIMEOUT_REASON; `onTimeout` then stops the runaway work.
 */
export async function withJobTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new UnrecoverableError(`${TIMEOUT_REASON}: the job ran longer than the worker's --job-timeout of ${ms / 1000} s`));
      onTimeout();
    }, ms);
  });
  try {
    return await Promise.race([work, expired]);
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
  // A timed-out job keeps computing in this child: once the failure has gone to the worker, the child exits and BullMQ forks a fresh one.
  return withJobTimeout(work, ms, () => setTimeout(() => process.exit(0), 200));
}
