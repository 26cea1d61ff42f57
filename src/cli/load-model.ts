// CLI helpers shared by commands: read a model argument and a JSON file argument.
import { readFile } from 'node:fs/promises';
import { fail } from '../core/errors.ts';
import { MAX_JSON_DEPTH, jsonDepth } from '../bundle/read-bundle.ts';
import { loadModel } from '../import/load-model.ts';
import { importFlags } from './import-flags.ts';
import type { ModelBundle } from '../core/types.ts';

/** Read the model named on the command line, in any supported format (detected by content), with the global import flags. */
export async function loadModelArgument(path: string): Promise<ModelBundle> {
  return loadModel(path, importFlags());
}

/** Read and parse a JSON file named by an option. */
export async function readJsonOption(path: string, option: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    fail('IO_ERROR', { expected: 'a readable JSON file', found: 'no such file', where: `${option} ${path}`, hint: 'check the path' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail('INVALID_JSON', { expected: 'valid JSON', found: (error as Error).message, where: `${option} ${path}`, hint: 'fix the file' });
  }
  if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    fail('INVALID_JSON', { expected: `JSON nested at most ${MAX_JSON_DEPTH} levels deep`, found: 'deeper nesting', where: `${option} ${path}`, hint: 'pass the file edge-prune wrote, not a generated one' });
  }
  return value;
}
