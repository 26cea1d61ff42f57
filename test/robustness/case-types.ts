// Types of the hostile-input corpus: a case is a set of files laid over a real fixture plus what to run on them.
import type { ErrorCode } from '../../src/core/errors.ts';
import type { FixtureName } from '../fixtures/build-fixtures.ts';

/** Which input a case attacks; each kind has one runner adapter (test/robustness/run-case.ts). */
export type CaseKind = 'model' | 'manifest' | 'path' | 'shard' | 'plan' | 'ratios' | 'output' | 'target' | 'profile' | 'data';

/**
 * One file of a case. `bytes` replaces or adds a file; `symlink` points at a path (a leading
 * `@OUTSIDE@` is a folder next to the case folder, outside it); `fifo`, `dir` and `sparse` make
 * special files; `delete` removes a file of the base fixture.
 */
export type FileSpec =
  | { type: 'bytes'; data: Uint8Array }
  | { type: 'symlink'; target: string }
  | { type: 'fifo' }
  | { type: 'dir' }
  | { type: 'sparse'; size: number }
  | { type: 'delete' };

/** What to run on a materialized case (paths relative to the case folder). */
export interface RunSpec {
  /** model.json to load (default `model.json`). */
  model?: string;
  /** Replay this plan file. */
  plan?: string;
  /** Per-group drop ratios file. */
  ratios?: string;
  /** Uniform drop ratio (used when neither plan nor ratios is given; default 0.3). */
  ratio?: number;
  /** Scoring criterion (default fscl). */
  criterion?: string;
  /** Target or profile file for the config kinds (the case folder is the config root). */
  config?: string;
  /** Data folder for the data kind. */
  data?: string;
  /** Data kind: run as `eval`, `finetune` or the bare library loader `load` (default: eval or finetune by a hash of the id). */
  command?: 'eval' | 'finetune' | 'load';
  /** Output folder relative to the case folder (`.` is the model's own folder); default: a fresh folder outside. */
  out?: string;
}

/**
 * `error`: the input is invalid and must end in a typed EdgePruneError (optionally one of `codes`).
 * `any`: the input may be accepted; then the output must be a bundle that loads and analyzes again.
 * `ok`: an unusual but valid input (e.g. Keras's batch-counting axis) that must be accepted.
 */
export type Expectation = 'error' | 'any' | 'ok';

/** One hostile input. */
export interface CorpusCase {
  /** Stable, unique id: `<kind>/<base>/<what was changed>`. */
  id: string;
  kind: CaseKind;
  /** Fixture whose files the case starts from; `none` starts from an empty folder. */
  base: FixtureName | 'none';
  files: Record<string, FileSpec>;
  run: RunSpec;
  expect: Expectation;
  /** Acceptable error codes when the case must fail (any code when omitted). */
  codes?: ErrorCode[];
  /** Always include this case in the CLI sample (a known-dangerous input). */
  cli?: boolean;
  /** Extra setup after the files are laid out (e.g. a size known only on this file system). */
  prepare?: (dir: string) => Promise<void>;
}

/** Encode text as file bytes. */
export function text(data: string): FileSpec {
  return { type: 'bytes', data: new TextEncoder().encode(data) };
}

/** Encode a JSON value as file bytes. */
export function json(value: unknown): FileSpec {
  return text(JSON.stringify(value));
}

/** Raw bytes as a file. */
export function bytes(data: Uint8Array): FileSpec {
  return { type: 'bytes', data };
}
