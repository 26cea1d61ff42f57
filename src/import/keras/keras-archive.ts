// Reads a Keras 3 `.keras` file (a zip of config.json, metadata.json, model.weights.h5) in memory, with zip paths and sizes checked.
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { fail } from '../../core/errors.ts';
import type { JsonObject } from '../../core/types.ts';
import { MAX_JSON_DEPTH, jsonDepth } from '../../bundle/read-bundle.ts';

/** Largest uncompressed entry read from a `.keras` zip (weights of models up to 1 GiB). */
export const MAX_ENTRY_BYTES = 2 ** 30;

/** The parts of a `.keras` file. */
export interface KerasArchive {
  config: JsonObject;
  metadata: JsonObject;
  /** Bytes of model.weights.h5. */
  weights: Uint8Array;
}

/** Entries a `.keras` file must hold. */
const REQUIRED = ['config.json', 'model.weights.h5'];

/** Refuse entry names that would leave a folder they were extracted to (absolute, `..`, drive letters, NUL). */
function checkEntryName(name: string, path: string): void {
  const parts = name.split(/[\\/]/);
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-z]:/i.test(name) || name.includes('\0') || parts.includes('..')) {
    fail('PATH_ESCAPE', {
      expected: 'zip entries with relative paths inside the archive',
      found: `entry "${name.slice(0, 200)}"`,
      where: path,
      hint: 'the archive is hostile or corrupt; edge-prune never extracts such entries',
    });
  }
}

/** Parse a JSON entry of the archive. */
function parseJsonEntry(bytes: Uint8Array | undefined, entry: string, path: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes ?? new Uint8Array()));
  } catch (error) {
    fail('INVALID_JSON', { expected: `valid JSON in ${entry}`, found: (error as Error).message, where: path, hint: 'the .keras file is corrupt; save the model again' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    fail('INVALID_MODEL', { expected: `a JSON object nested at most ${MAX_JSON_DEPTH} levels in ${entry}`, found: Array.isArray(value) ? 'an array' : typeof value, where: path, hint: 'the .keras file is corrupt; save the model again' });
  }
  return value as JsonObject;
}

/** Read a `.keras` archive from its bytes; a zip without config.json and model.weights.h5 is INVALID_MODEL. */
export function readKerasArchive(bytes: Uint8Array, path: string): KerasArchive {
  const names: string[] = [];
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (file: UnzipFileInfo) => {
        checkEntryName(file.name, path);
        names.push(file.name);
        if (!REQUIRED.includes(file.name) && file.name !== 'metadata.json') return false;
        if (file.originalSize > MAX_ENTRY_BYTES) {
          fail('INVALID_MODEL', { expected: `zip entries of at most ${MAX_ENTRY_BYTES} bytes`, found: `${file.name}: ${file.originalSize} bytes`, where: path, hint: 'the archive is corrupt or not a model' });
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'EdgePruneError') throw error;
    fail('INVALID_MODEL', { expected: 'a readable zip archive (.keras)', found: `a damaged zip (${(error as Error).message})`, where: path, hint: 'the file is truncated or corrupt; copy or save it again' });
  }
  const missing = REQUIRED.filter((n) => !files[n]);
  if (missing.length > 0) {
    fail('INVALID_MODEL', {
      expected: 'a .keras archive holding config.json and model.weights.h5',
      found: `a zip with ${names.length === 0 ? 'no entries' : names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}`,
      where: path,
      hint: 'this zip is not a Keras 3 model; save the model with model.save("model.keras")',
    });
  }
  return {
    config: parseJsonEntry(files['config.json'], 'config.json', path),
    metadata: files['metadata.json'] ? parseJsonEntry(files['metadata.json'], 'metadata.json', path) : {},
    weights: files['model.weights.h5'] as Uint8Array,
  };
}
