// Resolution of weight paths that must stay inside the model's folder (no `..`, no absolute paths, no symlinks out).
import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fail } from '../core/errors.ts';

/** Is `child` inside (or equal to) `parent`? Both absolute. */
function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** A manifest path as shown in messages: cut to 200 characters (hostile paths can be huge). */
export function shownPath(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}... (${path.length} characters)` : path;
}

/** Throw PATH_ESCAPE for a weight path that leaves the model folder. */
function escape(path: string, modelJson: string, why: string): never {
  fail('PATH_ESCAPE', {
    expected: 'a weight path inside the model folder',
    found: `"${shownPath(path)}" (${why})`,
    where: modelJson,
    hint: 'weight shards must sit beside model.json; edge-prune never reads files outside the model folder',
  });
}

/**
 * Resolve a manifest path against the model folder, refusing absolute paths, URLs, `..` escapes and
 * symlinks that point outside. Returns the real path of an existing file, or undefined when missing.
 */
export async function resolveInside(dir: string, path: string, modelJson: string): Promise<string | undefined> {
  if (isAbsolute(path) || /^[a-z][a-z0-9+.-]*:/i.test(path) || path.includes('\0')) escape(path, modelJson, 'absolute path or URL');
  const full = resolve(dir, path);
  if (!isInside(resolve(dir), full)) escape(path, modelJson, 'leaves the folder');
  let real: string;
  try {
    real = await realpath(full);
  } catch {
    return undefined;
  }
  const realDir = await realpath(dir);
  if (!isInside(realDir, real)) escape(path, modelJson, 'a link that points outside the folder');
  return real;
}

/**
 * Fail when `outDir` is the folder of the model being read (also through a link): writing a bundle
 * there would overwrite the model's own model.json and shards.
 */
export async function requireSeparateOutput(outDir: string, modelJson: string): Promise<void> {
  const real = async (p: string): Promise<string> => realpath(p).catch(() => resolve(p));
  if ((await real(outDir)) === (await real(dirname(modelJson)))) {
    fail('INVALID_ARGUMENT', {
      expected: 'an output folder other than the model\'s own',
      found: `"${outDir}", the folder of ${modelJson}`,
      where: '--out',
      hint: 'pick a new folder: writing there would overwrite the model being pruned',
    });
  }
}
