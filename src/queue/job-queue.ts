// The coordinator's side of the queue: submit jobs by payload hash, wait for their results through Redis restarts, fail typed on timeout.
import { Job, Queue } from 'bullmq';
import { z } from 'zod';
import { fail, EdgePruneError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { parseQueueUrl } from './queue-url.ts';
import { jobIdOf, TIMEOUT_REASON, type JobPayload } from './payloads.ts';
import { QUEUE_NAME } from './worker.ts';

/** How the coordinator waits. */
export interface JobQueueOptions {
  /** How long Redis may stay unreachable, or the queue without any worker, before the run fails (default 120 s). */
  timeoutMs?: number;
  /** Poll period for results (default 250 ms). */
  pollMs?: number;
  logger?: Logger;
}

const resultSchema = z.union([
  z.strictObject({ ok: z.literal(true), value: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: z.strictObject({ code: z.string(), expected: z.string(), found: z.string(), where: z.string(), hint: z.string() }) }),
]);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The coordinator's handle on the queue. */
export class JobQueue {
  /** The queue URL with its password masked. */
  readonly shown: string;
  private readonly queue: Queue;
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly logger: Logger;

  private constructor(url: string, options: JobQueueOptions) {
    const { connection, shown } = parseQueueUrl(url);
    this.shown = shown;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.pollMs = options.pollMs ?? 250;
    this.logger = options.logger ?? silentLogger;
    this.queue = new Queue(QUEUE_NAME, { connection: { ...connection, maxRetriesPerRequest: 1, connectTimeout: 5_000 } });
    this.queue.on('error', () => undefined);
  }

  /** Connect to the queue at `url` (a typed QUEUE_UNAVAILABLE when Redis does not answer within the timeout). */
  static async open(url: string, options: JobQueueOptions = {}): Promise<JobQueue> {
    const jobs = new JobQueue(url, options);
    await jobs.retrying('connect', () => jobs.queue.waitUntilReady());
    return jobs;
  }

  /** Run `call` until it succeeds, for as long as Redis may be unreachable; then fail typed (nothing half-done is returned). */
  private async retrying<T>(what: string, call: () => Promise<T>): Promise<T> {
    const since = Date.now();
    let warned = false;
    for (;;) {
      try {
        const out = await Promise.race([call(), sleep(10_000).then(() => { throw new Error('no answer within 10 s'); })]);
        if (warned) this.logger.info(`queue ${this.shown}: reachable again`);
        return out;
      } catch (error) {
        if (error instanceof EdgePruneError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        if (Date.now() - since > this.timeoutMs) {
          fail('QUEUE_UNAVAILABLE', { expected: `the queue to answer (${what}) within ${Math.round(this.timeoutMs / 1000)} s`, found: message, where: this.shown, hint: 'check that Redis is running and reachable; rerun with --resume to continue with the jobs already finished' });
        }
        if (!warned) this.logger.warn(`queue ${this.shown} unreachable (${message}); waiting up to ${Math.round(this.timeoutMs / 1000)} s`);
        warned = true;
        await sleep(Math.min(1_000, this.pollMs * 4));
      }
    }
  }

  /**
   * Add a job unless one with its id (its payload's hash) is already queued, running or finished;
   * one that failed (e.g. timed out) in an earlier run is removed first, so a rerun tries it again.
   */
  private async add(payload: JobPayload, retryFailed = false): Promise<void> {
    const jobId = jobIdOf(payload);
    if (retryFailed) {
      const old = await this.retrying('read a job', () => Job.fromId(this.queue, jobId));
      if (old && old.finishedOn !== undefined && (await this.retrying('read a job', () => old.getState())) === 'failed') {
        await this.retrying('remove a failed job', () => old.remove());
      }
    }
    await this.retrying('add a job', () => this.queue.add(payload.kind, payload, { jobId, attempts: 3, backoff: { type: 'fixed', delay: 1_000 }, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } }));
  }

  /**
   * Run every payload on the workers and return their values in order. A typed error in a job's
   * result is thrown as that error; a job that failed on every attempt is JOB_FAILED.
   */
  async run(payloads: readonly JobPayload[], onDone?: (done: number) => void): Promise<unknown[]> {
    for (const p of payloads) await this.add(p, true);
    const ids = payloads.map(jobIdOf);
    const values = new Map<string, unknown>();
    let idleSince: number | undefined;
    let lastWorkerCheck = 0;
    while (values.size < new Set(ids).size) {
      for (const [i, id] of ids.entries()) {
        if (values.has(id)) continue;
        const job = await this.retrying('read a job', () => Job.fromId(this.queue, id));
        if (!job) {
          // Gone (e.g. Redis restarted without persistence): queue it again; its id keeps it single.
          await this.add(payloads[i] as JobPayload);
          continue;
        }
        if (job.finishedOn === undefined) continue;
        const state = await this.retrying('read a job', () => job.getState());
        if (state === 'failed' && job.failedReason.startsWith(TIMEOUT_REASON)) {
          fail('QUEUE_TIMEOUT', { expected: 'the job to finish within the worker\'s --job-timeout', found: job.failedReason.slice(TIMEOUT_REASON.length + 2), where: `job ${id} on ${this.shown}`, hint: 'give the workers a longer --job-timeout (or the job less work), then rerun with --resume: finished jobs are reused, this one runs again' });
        }
        if (state === 'failed') fail('JOB_FAILED', { expected: 'the job to finish', found: `it failed ${job.attemptsMade} time(s): ${job.failedReason}`, where: `job ${id} on ${this.shown}`, hint: 'read the worker\'s log; rerun with --resume once fixed' });
        if (state !== 'completed') continue;
        const result = resultSchema.safeParse(job.returnvalue);
        if (!result.success) fail('INVALID_JOB', { expected: 'a job result {ok, value | error}', found: 'another value', where: `job ${id} on ${this.shown}`, hint: 'the coordinator and the workers must run the same edge-prune version' });
        if (!result.data.ok) {
          const e = result.data.error;
          throw new EdgePruneError(e.code as ConstructorParameters<typeof EdgePruneError>[0], { expected: e.expected, found: e.found, where: `${e.where} (job ${id})`, hint: e.hint });
        }
        values.set(id, result.data.value);
        onDone?.(values.size);
      }
      if (values.size >= new Set(ids).size) break;
      if (Date.now() - lastWorkerCheck > 2_000) {
        lastWorkerCheck = Date.now();
        const workers = await this.queue.getWorkersCount().catch(() => 1);
        if (workers > 0) idleSince = undefined;
        else {
          if (idleSince === undefined) this.logger.warn(`queue ${this.shown}: no worker is connected; start one with \`edge-prune worker --queue <url> --store <dir>\``);
          idleSince ??= Date.now();
          if (Date.now() - idleSince > this.timeoutMs) fail('QUEUE_UNAVAILABLE', { expected: 'at least one worker on the queue', found: `none for ${Math.round(this.timeoutMs / 1000)} s`, where: this.shown, hint: 'start workers with `edge-prune worker --queue <url> --store <dir>`; rerun with --resume' });
        }
      }
      await sleep(this.pollMs);
    }
    return ids.map((id) => values.get(id));
  }

  /** Disconnect. */
  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** Where the coordinator sends work: the queue URL, the shared store folder, how long to wait for Redis or workers. */
export interface QueueSettings {
  url: string;
  store: string;
  timeoutMs?: number;
}

/** Open the queue of `settings` (the store folder is created when missing). */
export async function openJobQueue(settings: QueueSettings, logger: Logger): Promise<JobQueue> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(settings.store, { recursive: true });
  const jobs = await JobQueue.open(settings.url, { logger, ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}) });
  logger.info(`queue ${jobs.shown}: jobs go to its workers, inputs to the store ${settings.store}`);
  return jobs;
}
