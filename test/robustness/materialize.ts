// Lays a corpus case out on disk: base fixture files, the case's files and special files, an outside folder and a fresh output path.
import { spawnSync } from 'node:child_process';
import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, mkdtemp, open, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CorpusCase, FileSpec } from './case-types.ts';
import type { BaseFixture } from './corpus-base.ts';

/** A case on disk. */
export interface Materialized {
  /** Temporary root holding `case/`, `outside/` and (after a run) `out/`. */
  root: string;
  /** The case folder (model.json, shards, plan.json, ...). */
  dir: string;
  /** Output folder the run must write into; it does not exist beforehand. */
  outDir: string;
  /** FIFOs made for the case (unblocked on cleanup). */
  fifos: string[];
}

/** Placeholder in symlink targets and file texts for the folder outside the case folder. */
export const OUTSIDE = '@OUTSIDE@';

/** Write one file spec at `path`. */
async function writeSpec(path: string, spec: FileSpec, outside: string, fifos: string[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await rm(path, { recursive: true, force: true });
  switch (spec.type) {
    case 'bytes': {
      // Absolute paths to the outside folder can only be known here.
      const text = Buffer.from(spec.data);
      const data = text.includes(OUTSIDE) ? Buffer.from(text.toString('utf8').split(OUTSIDE).join(outside)) : text;
      await writeFile(path, data);
      return;
    }
    case 'symlink':
      await symlink(spec.target.split(OUTSIDE).join(outside), path);
      return;
    case 'fifo': {
      const r = spawnSync('mkfifo', [path]);
      if (r.status !== 0) throw new Error(`mkfifo ${path} failed: ${r.stderr}`);
      fifos.push(path);
      return;
    }
    case 'dir':
      await mkdir(path, { recursive: true });
      return;
    case 'sparse': {
      const handle = await open(path, 'w');
      await handle.truncate(spec.size);
      await handle.close();
      return;
    }
    case 'delete':
      return;
  }
}

/** Materialize a case in a fresh temporary folder. */
export async function materializeCase(c: CorpusCase, bases: Map<string, BaseFixture>): Promise<Materialized> {
  const root = await mkdtemp(join(tmpdir(), 'ep-robust-'));
  const dir = join(root, 'case');
  const outside = join(root, 'outside');
  await mkdir(dir);
  await mkdir(outside);
  const base = c.base === 'none' ? undefined : bases.get(c.base);
  if (base) {
    for (const f of await readdir(base.dir)) if (f === 'model.json' || f.endsWith('.bin')) await copyFile(join(base.dir, f), join(dir, f));
    // A real copy of the shard outside the folder: escapes must fail even though the bytes are right.
    const shard = [...base.shards.values()][0];
    if (shard) await writeFile(join(outside, 'shard.bin'), shard);
  } else {
    await writeFile(join(outside, 'shard.bin'), new Uint8Array(64));
  }
  const fifos: string[] = [];
  for (const [rel, spec] of Object.entries(c.files)) await writeSpec(join(dir, rel), spec, outside, fifos);
  if (c.prepare) await c.prepare(dir);
  return { root, dir, outDir: c.run.out === undefined ? join(root, 'out') : join(dir, c.run.out), fifos };
}

/** Every entry below `root` (recursively, hidden temporaries included) with its type, size and mtime. */
export async function snapshotTree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rel of await readdir(root, { recursive: true }).catch(() => [] as string[])) {
    const info = await lstat(join(root, rel)).catch(() => undefined);
    if (info) out.set(rel, `${info.isFile() ? 'f' : info.isDirectory() ? 'd' : 'o'}:${info.isDirectory() ? 0 : info.size}:${info.mtimeMs}`);
  }
  return out;
}

/** Entries added or changed between two snapshots. */
export function changedEntries(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([rel, sig]) => before.get(rel) !== sig).map(([rel]) => rel).sort();
}

/** Files (recursively, including hidden temporaries) in the output folder; empty when it does not exist. */
export async function listOutput(outDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(outDir, { recursive: true });
  } catch {
    return [];
  }
  return names.sort();
}

/** Unblock any reader stuck on a FIFO of the case (a writer opens and closes it). */
export async function unjamFifos(m: Materialized): Promise<void> {
  for (const fifo of m.fifos) {
    try {
      const handle = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      await handle.close();
    } catch {
      // No reader waiting: nothing to unblock.
    }
  }
}

/** Remove a materialized case. */
export async function removeCase(m: Materialized): Promise<void> {
  await unjamFifos(m);
  await rm(m.root, { recursive: true, force: true });
}
