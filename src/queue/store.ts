// The shared content store under --store: blobs named by their sha256, read only from inside the folder and verified before use.
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fail } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';

/** A blob in the store: its content hash, and where it lies (default `objects/<sha256>`, relative to the store). */
export interface StoreRef {
  sha256: string;
  path?: string;
}

/** Hex sha256 of bytes. */
export function sha256Of(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The store-relative path of a ref. */
function relativePath(ref: StoreRef): string {
  return ref.path ?? `objects/${ref.sha256}`;
}

/** The absolute path of `ref` inside `root`, refusing absolute paths, `..` and symlinks that lead outside. */
export async function resolveInStore(root: string, ref: StoreRef): Promise<string> {
  const rel = relativePath(ref);
  const escape = (found: string): never => fail('PATH_ESCAPE', {
    expected: 'a path inside the store', found, where: `job input ${rel}`,
    hint: 'workers read only inside --store; put the input into the store (the coordinator does) and name it relative to it',
  });
  if (isAbsolute(rel) || rel.split(/[\\/]/).includes('..') || rel.includes('\0')) escape(`the path ${JSON.stringify(rel)}`);
  let base: string;
  try {
    base = await realpath(root);
  } catch {
    return fail('INPUT_MISMATCH', { expected: 'the store folder', found: 'no such folder', where: root, hint: 'mount the shared store at the same --store path on every worker' });
  }
  let real: string;
  try {
    real = await realpath(join(base, rel));
  } catch {
    return fail('INPUT_MISMATCH', { expected: `the input sha256:${ref.sha256}`, found: 'no such file in the store', where: rel, hint: 'the coordinator and the workers must share the --store folder (e.g. a network mount)' });
  }
  const inside = relative(base, real);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) escape(`a link that leads to ${real}`);
  return real;
}

/** The blobs of one store folder: put (idempotent, atomic) and verified get. */
export class ContentStore {
  /** The store folder. */
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Store bytes under their hash (skipped when already there) and return the ref. */
  async put(bytes: Uint8Array | string): Promise<StoreRef> {
    const sha256 = sha256Of(bytes);
    const path = join(this.root, 'objects', sha256);
    const present = await stat(path).then((s) => s.isFile(), () => false);
    if (!present) await writeFileAtomic(path, bytes);
    return { sha256 };
  }

  /** The bytes of `ref`, after checking they hash to `ref.sha256` (a typed INPUT_MISMATCH otherwise). */
  async get(ref: StoreRef): Promise<Uint8Array> {
    const path = await resolveInStore(this.root, ref);
    const bytes = await readFile(path);
    const found = sha256Of(bytes);
    if (found !== ref.sha256) {
      fail('INPUT_MISMATCH', { expected: `content with sha256 ${ref.sha256}`, found: `sha256 ${found}`, where: relativePath(ref), hint: 'the store file changed after the job was queued; rerun the coordinator to store it again' });
    }
    return bytes;
  }
}
