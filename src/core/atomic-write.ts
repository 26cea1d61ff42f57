// Crash-safe file writes: every file goes to a temporary name first and is renamed into place.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fail } from './errors.ts';

/** A unique temporary sibling name for `path`. */
export function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Write a file atomically: a temp file in the same folder, then rename. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = temporaryName(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path);
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
