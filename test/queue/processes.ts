// Test helpers for the scale-out tests: a throwaway redis-server (random port, append-only), CLI processes whose output is kept, process-group kills.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A spawned process with its output so far and its end. */
export interface Running {
  child: ChildProcess;
  output: () => string;
  done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Spawn a command in its own process group (so a kill reaches its children too), keeping stdout and stderr. */
export function start(command: string, args: string[]): Running {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Awaited<Running['done']>>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
  return { child, output: () => stdout + stderr, done };
}

/** Spawn the edge-prune CLI. */
export function startCli(args: string[]): Running {
  return start(process.execPath, ['bin/edge-prune.js', ...args]);
}

/** Signal a process and everything it started. */
export function killGroup(r: Running, signal: NodeJS.Signals): void {
  if (r.child.pid !== undefined && r.child.exitCode === null && r.child.signalCode === null) process.kill(-r.child.pid, signal);
}

/** Wait until `check` holds (polling), or throw after `ms`. */
export async function waitFor(what: string, check: () => boolean, ms = 120_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Start Debian's redis-server on `port` with append-only persistence in `dir` and a password; resolves once it accepts connections. */
export async function startRedis(port: number, dir: string, password: string): Promise<Running> {
  const redis = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--requirepass', password]);
  await waitFor('redis-server to start', () => /Ready to accept connections/.test(redis.output()), 20_000);
  return redis;
}

/** The job ids a worker's log says it started, and those it finished. */
export function jobLines(log: string): { started: string[]; done: string[] } {
  const ids = (word: string): string[] => [...log.matchAll(new RegExp(`^${word} (\\S+)$`, 'gm'))].map((m) => m[1] as string);
  return { started: ids('start'), done: ids('done') };
}
