// The scale-out flags shared by plan and the main command: --queue, --store, --queue-timeout.
import { Option, type Command } from 'commander';
import { fail } from '../core/errors.ts';
import { numberOption } from './options.ts';
import type { QueueSettings } from '../queue/job-queue.ts';

/** The scale-out flags as commander parses them. */
export interface QueueFlags {
  queue?: string;
  store?: string;
  queueTimeout?: number;
}

/** Add --queue, --store and --queue-timeout to a command. */
export function addQueueOptions(command: Command): Command {
  return command
    .addOption(new Option('--queue <url>', 'fan candidate evaluations (and the fine-tune) out to `edge-prune worker` processes on this Redis queue, redis://[:password@]host:port[/db] (the password is never printed; EDGE_PRUNE_QUEUE keeps it off the process list)').env('EDGE_PRUNE_QUEUE'))
    .option('--store <dir>', 'with --queue: the folder every worker sees (e.g. a network mount) where inputs go, addressed by sha256')
    .addOption(numberOption('--queue-timeout <s>', 'with --queue: fail (typed, nothing half-written) when Redis stays unreachable or no worker is connected this long', { min: 1 }, 120));
}

/** The queue settings of the flags, or undefined without --queue (a usage error when --store is missing). */
export function queueFromFlags(flags: QueueFlags): QueueSettings | undefined {
  if (!flags.queue) return undefined;
  if (!flags.store) fail('INVALID_ARGUMENT', { expected: '--store <dir> with --queue', found: 'no --store', where: '--queue', hint: 'pass the folder the workers share, e.g. --store /mnt/edge-prune-store (the same path given to `edge-prune worker --store`)' });
  return { url: flags.queue, store: flags.store, ...(flags.queueTimeout !== undefined ? { timeoutMs: flags.queueTimeout * 1000 } : {}) };
}
