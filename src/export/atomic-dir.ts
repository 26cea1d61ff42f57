// Writes an output folder atomically: fill a hidden temporary sibling, then rename it into place.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { EdgePruneError, fail } from '../core/errors.ts';

/** Name of the file that marks a complete edge-prune export. */
export const MANIFEST_FILE = 'manifest.json';

/** A hidden sibling name of `dir` with a tag, e.g. `.out.tmp-123-ab12cd34`. */
function makeSiblingName(dir: string, tag: string): string {
  return join(dirname(dir), `.${basename(dir)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Is `dir` absent, empty, or a previous edge-prune export (safe to replace)? */
async function checkReplaceable(dir: string): Promise<boolean> {
  let entries: string[];
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) fail('IO_ERROR', { expected: 'a folder path for the export', found: 'a file', where: dir, hint: 'choose another --out path' });
    entries = await readdir(dir);
  } catch (error) {
    if (error instanceof EdgePruneError) throw error;
    return false;
  }
  if (entries.length === 0) return true;
  try {
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as { producer?: unknown };
    if (manifest.producer === 'edge-prune') return true;
  } catch {
    // not an export: refuse below
  }
  return fail('IO_ERROR', {
    expected: 'an empty folder or a previous edge-prune export',
    found: `a folder with ${entries.length} entries and no edge-prune ${MANIFEST_FILE}`,
    where: dir,
    hint: 'edge-prune replaces the output folder whole; choose a new --out path',
  });
}

/**
 * Run `fill(tmpDir)` on a fresh hidden sibling of `outDir`, then swap it into place. If `fill` throws,
 * the temporary folder is removed and `outDir` is untouched; a crash leaves only a hidden `.tmp-` folder.
 * An existing `outDir` must be empty or a previous edge-prune export (checked before any work).
 */
export async function writeFolderAtomically<T>(outDir: string, fill: (tmpDir: string) => Promise<T>): Promise<T> {
  const target = resolve(outDir);
  const exists = await checkReplaceable(target);
  const tmp = makeSiblingName(target, 'tmp');
  try {
    await mkdir(tmp, { recursive: true });
  } catch (error) {
    fail('IO_ERROR', { expected: 'a writable parent folder', found: (error as Error).message, where: dirname(target), hint: 'check that the output location exists and is writable' });
  }
  let result: T;
  try {
    result = await fill(tmp);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  const old = exists ? makeSiblingName(target, 'old') : undefined;
  try {
    if (old) await rename(target, old);
    await rename(tmp, target);
  } catch (error) {
    if (old) await rename(old, target).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    fail('IO_ERROR', { expected: 'the export folder moved into place', found: (error as Error).message, where: target, hint: 'check permissions of the output location' });
  }
  if (old) await rm(old, { recursive: true, force: true });
  return result;
}
