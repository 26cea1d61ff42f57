// The global import flags (`--outputs`, `--input-shape`) of one CLI run, kept apart so start-up loads no importer.
import { parseNumber } from './options.ts';

/** How models named on this command line are imported (graph models; other formats ignore it). */
export interface ImportFlags {
  outputs?: string[];
  inputShape?: number[];
}

let current: ImportFlags = {};

/** Parse and remember the global import flags (called once, before the command's action). */
export function setImportFlags(flags: { outputs?: string; inputShape?: string }): void {
  const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);
  const dim = (d: string): number => parseNumber(d, '--input-shape', { integer: true, min: 1 });
  current = {
    ...(flags.outputs !== undefined ? { outputs: list(flags.outputs) } : {}),
    ...(flags.inputShape !== undefined ? { inputShape: list(flags.inputShape).map(dim) } : {}),
  };
}

/** The import flags this run was given. */
export function importFlags(): ImportFlags {
  return current;
}
