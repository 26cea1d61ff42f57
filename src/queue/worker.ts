// `edge-prune worker`: a BullMQ worker whose jobs run in sandboxed child processes (from dist/ or, in a source checkout, through tsx).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from '../core/logger.ts';
import { fail } from '../core/errors.ts';
import { parseQueueUrl } from './queue-url.ts';
import { EXTRA_ENV, STORE_ENV, TIMEOUT_ENV, TIMEOUT_EXIT_CODE } from './processor.ts';
import { TIMEOUT_REASON } from './payloads.ts';

/** The queue every edge-prune job goes through. */
export const QUEUE_NAME = 'edge-prune';

/** How a worker runs. */
export interface WorkerOptions {
  /** redis://host:port[/db] */
  queue: string;
  /** The shared store folder (the only place jobs read from). */
  store: string;
  /** Jobs run at once (one child process each). */
  concurrency: number;
  /** A job whose worker stops renewing its lock for this long is retried elsewhere (BullMQ's lock and stall-check period). */
  stallMs: number;
  /** A job running longer than this fails at once with QUEUE_TIMEOUT (no retry) and its child process is replaced. */
  jobTimeoutMs: number;
  /** Module with extra job runners (`jobRunners`), for benchmark rows. */
  extraModule?: string;
  logger: Logger;
}

/** A running worker. */
export interface RunningWorker {
  /** The queue URL with its password masked. */
  shown: string;
  /** Let running jobs finish, then disconnect. */
  close(): Promise<void>;
}

/**
 * The sandboxed processor file beside this one, and the Node flags its child needs: tsx when running
 * from source or when the `--jobs` module is TypeScript (e.g. bench/criteria/row-jobs.ts from a built CLI).
 */
function processorFile(extraModule: string | undefined): { file: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const file = self.replace(/worker\.(ts|js)$/, (_m, ext: string) => `processor.${ext}`);
  const needsTsx = file.endsWith('.ts') || /\.[cm]?ts$/.test(extraModule ?? '');
  if (!needsTsx || process.execArgv.some((a) => a.includes('tsx'))) return { file, execArgv: process.execArgv };
  let tsx: string;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    return fail('INVALID_ARGUMENT', { expected: 'tsx installed to load a TypeScript --jobs module', found: 'tsx cannot be resolved', where: `--jobs ${extraModule ?? ''}`, hint: 'run the worker from a source checkout after `npm install` (tsx is a development dependency)' });
  }
  return { file, execArgv: [...process.execArgv, '--import', tsx] };
}

/**
 * BullMQ's worker, failing a job whose sandboxed child ended itself over --job-timeout at once,
 * without retries, with a reason the coordinator reads as QUEUE_TIMEOUT (any other child exit is
 * retried as BullMQ does).
 */
class TimedWorker extends Worker {
  /** The worker's --job-timeout in milliseconds (for the failure reason). */
  timeoutMs = 0;

  protected override async callProcessJob(job: Job, token: string, signal?: AbortSignal): Promise<unknown> {
    try {
      return await super.callProcessJob(job, token, signal);
    } catch (error) {
      // BullMQ's sandbox reports a child's exit as `Unexpected exit code: <code> signal: <signal>`.
      if (error instanceof Error && error.message.startsWith(`Unexpected exit code: ${TIMEOUT_EXIT_CODE} `)) {
        throw new UnrecoverableError(`${TIMEOUT_REASON}: the job ran longer than the worker's --job-timeout of ${this.timeoutMs / 1000} s`);
      }
      throw error;
    }
  }
}

/** Start a worker on the queue; resolves once it is connected. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { connection, shown } = parseQueueUrl(options.queue);
  const store = resolve(options.store);
  if (!existsSync(store)) fail('INVALID_ARGUMENT', { expected: 'an existing store folder', found: 'no such folder', where: `--store ${options.store}`, hint: 'mount the folder the coordinator writes to (the same --store) on this machine' });
  const { file, execArgv } = processorFile(options.extraModule);
  const env = { ...process.env, [STORE_ENV]: store, [TIMEOUT_ENV]: String(options.jobTimeoutMs), ...(options.extraModule ? { [EXTRA_ENV]: options.extraModule } : {}) };
  const worker = new TimedWorker(QUEUE_NAME, file, {
    connection: { ...connection, maxRetriesPerRequest: null },
    concurrency: options.concurrency,
    lockDuration: options.stallMs,
    stalledInterval: options.stallMs,
    maxStalledCount: 3,
    useWorkerThreads: false,
    workerForkOptions: { env, execArgv },
  });
  worker.timeoutMs = options.jobTimeoutMs;
  worker.on('active', (job) => options.logger.info(`start ${job.id ?? '?'}`));
  worker.on('completed', (job) => options.logger.info(`done ${job.id ?? '?'}`));
  worker.on('failed', (job, error) => options.logger.warn(`job ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`));
  let down = false;
  worker.on('error', (error) => {
    if (!down) options.logger.warn(`queue ${shown}: ${error.message.replaceAll(connection.password ?? '\0', '***')} (reconnecting)`);
    down = true;
  });
  worker.on('ready', () => {
    if (down) options.logger.info(`queue ${shown}: connected again`);
    down = false;
  });
  await worker.waitUntilReady();
  options.logger.info(`worker on ${shown}, store ${store}, ${options.concurrency} job(s) at once, stall timeout ${options.stallMs} ms, job timeout ${options.jobTimeoutMs / 1000} s`);
  return { shown, close: () => worker.close() };
}
