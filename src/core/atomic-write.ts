// Crash-safe file writes: every file goes to a temporary name first and is renamed into place.
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fail } from './errors.ts';

/** A unique temporary sibling name for `path`. */
export function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Is a process with this id running (or not ours to signal)? */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove temporaries of `path` left by a writer that was killed between writing and renaming
 * (SIGKILL, power loss): `.name.tmp-<pid>-<hex>` siblings whose process is gone.
 */
async function removeStaleTemporaries(path: string): Promise<void> {
  const prefix = `.${basename(path)}.tmp-`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    const pid = name.startsWith(prefix) ? Number(/^(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length))?.[1]) : NaN;
    if (pid > 0 && pid !== process.pid && !isRunning(pid)) await rm(join(dirname(path), name), { force: true }).catch(() => undefined);
  }
}

/** Write a file atomically: a temp file in the same folder, then rename; temporaries of killed writers of the same file are removed. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = temporaryName(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path);
    await removeStaleTemporaries(path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    fail('IO_ERROR', {
      expected: 'a writable location',
      found: (error as Error).message,
      where: path,
      hint: 'check that the output folder exists, is writable and has free space',
    });
  }
}

/** Write JSON atomically with a trailing newline and stable two-space indentation. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
