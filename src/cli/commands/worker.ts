// `edge-prune worker`: runs queued jobs (candidate evaluations, fine-tunes, benchmark rows) for coordinators on other machines.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Option, type Command } from 'commander';
import { action } from '../output.ts';
import { numberOption } from '../options.ts';
import { createCliLogger } from '../progress.ts';

/** Options of the worker command. */
interface WorkerFlags {
  queue: string;
  store: string;
  concurrency: number;
  stallTimeout: number;
  jobTimeout: number;
  jobs?: string;
}

/** Register the worker command. */
export function register(program: Command): void {
  program
    .command('worker')
    .description('run queued edge-prune jobs for `plan`/the main command with --queue (one process per machine)')
    .addOption(new Option('--queue <url>', 'the Redis queue, redis://[:password@]host:port[/db] (the password is never printed; EDGE_PRUNE_QUEUE keeps it off the process list)').env('EDGE_PRUNE_QUEUE').makeOptionMandatory())
    .requiredOption('--store <dir>', 'the shared folder the coordinator writes inputs to (the only place jobs read from)')
    .addOption(numberOption('--concurrency <n>', 'jobs at once, each in its own sandboxed child process (about one per core)', { integer: true, min: 1 }, 1))
    .addOption(numberOption('--stall-timeout <ms>', 'a job whose worker dies is retried elsewhere after about this long', { integer: true, min: 500 }, 30_000))
    .addOption(numberOption('--job-timeout <s>', 'a job running longer fails at once, typed QUEUE_TIMEOUT on the coordinator (exit 19), and its child process is replaced', { min: 0.001 }, 1800))
    .option('--jobs <module>', 'a module exporting `jobRunners` for extra job kinds (the criteria benchmark: bench/criteria/row-jobs.ts)')
    .addHelpText('after', '\nStops on SIGINT/SIGTERM after its running jobs finish. A worker killed outright loses nothing:\nits job is retried on another worker after the stall timeout.\n\nExample (on each worker machine, the store mounted at the same path):\n  edge-prune worker --queue redis://queue-host:6379 --store /mnt/edge-prune-store --concurrency 2')
    .action(
      action(async (opts: WorkerFlags, cmd: Command) => {
        const { startWorker } = await import('../../queue/worker.ts');
        const logger = createCliLogger(cmd.optsWithGlobals().json === true);
        const worker = await startWorker({
          queue: opts.queue, store: opts.store, concurrency: opts.concurrency, stallMs: opts.stallTimeout, jobTimeoutMs: Math.round(opts.jobTimeout * 1000), logger,
          ...(opts.jobs ? { extraModule: pathToFileURL(resolve(opts.jobs)).href } : {}),
        });
        await new Promise<void>((done) => {
          const stop = (): void => {
            logger.info('stopping: letting running jobs finish');
            void worker.close().then(done, done);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      }),
    );
}
