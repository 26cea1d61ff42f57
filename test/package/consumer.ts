// Makes an empty consumer project that installs a packed edge-prune tarball offline, from the npm cache alone.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** One `packages` entry of a package-lock.json (only the fields read here). */
interface LockEntry {
  dev?: boolean;
  dependencies?: Record<string, string>;
  [field: string]: unknown;
}

/** The process environment without npm's `npm_*` variables (set when the test runs under `npm test`). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') && k !== 'EDGE_PRUNE_FROM_SOURCE'));
  return { ...env, ...extra };
}

/** Run a command, failing with its output when it exits non-zero. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * Write `package.json` and `package-lock.json` for a consumer depending only on `tarball`. The lock
 * is the project's own lock minus its dev-only entries, with edge-prune at `node_modules/edge-prune`:
 * the tree `npm ci` built for the project, so every tarball is in the npm cache by its integrity and
 * `npm ci --offline` needs no registry metadata (the cache holds tarballs, not package documents).
 */
export function writeConsumer(consumerDir: string, tarball: string, projectLockPath: string): void {
  const lock = JSON.parse(readFileSync(projectLockPath, 'utf8')) as { packages: Record<string, LockEntry> };
  const project = lock.packages[''] as LockEntry;
  const spec = `file:${tarball}`;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { 'edge-prune': spec } },
    'node_modules/edge-prune': { version: String(project['version']), resolved: spec, integrity, hasInstallScript: true, dependencies: project.dependencies ?? {}, bin: project['bin'] },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && !entry.dev) packages[path] = entry;
  const pkg = { name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { 'edge-prune': spec } };
  writeFileSync(join(consumerDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  writeFileSync(join(consumerDir, 'package-lock.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
}

/** `npm pack` the project into `destination` (runs its `prepare` build); returns the tarball path and the packed file list. */
export function packProject(projectDir: string, destination: string): { tarball: string; files: string[] } {
  const r = run('npm', ['pack', '--json', '--pack-destination', destination], projectDir);
  const start = r.stdout.indexOf('[');
  const [info] = JSON.parse(r.stdout.slice(start)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!info) throw new Error(`npm pack printed no package: ${r.stdout}`);
  return { tarball: join(destination, basename(info.filename)), files: info.files.map((f) => f.path) };
}
