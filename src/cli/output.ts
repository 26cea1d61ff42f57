// The CLI's only printing and exit-code logic: results, errors (text or JSON) and the code map.
import { type EdgePruneError, isEdgePruneError, type ErrorCode } from '../core/errors.ts';

/** Exit codes, documented in the README. */
export const EXIT_CODES: Record<ErrorCode | 'OK' | 'OVER_BUDGET', number> = {
  OK: 0,
  INTERNAL: 1,
  INVALID_ARGUMENT: 2,
  INVALID_JSON: 3,
  INVALID_MODEL: 3,
  UNSUPPORTED_LAYER: 4,
  UNSUPPORTED_OP: 4,
  MISSING_WEIGHTS: 5,
  WEIGHTS_MISMATCH: 5,
  PATH_ESCAPE: 6,
  INVALID_PLAN: 7,
  INVALID_CONFIG: 8,
  INVALID_DATA: 9,
  BUDGET_UNREACHABLE: 10,
  OVER_BUDGET: 11,
  PARITY_FAILED: 12,
  BACKEND_UNAVAILABLE: 13,
  DEVICE_UNAVAILABLE: 14,
  IO_ERROR: 15,
  QUEUE_UNAVAILABLE: 16,
  JOB_FAILED: 17,
  INVALID_JOB: 18,
  INPUT_MISMATCH: 18,
  QUEUE_TIMEOUT: 19,
};

/** Options every command shares. */
export interface CommonOptions {
  json?: boolean;
  debug?: boolean;
}

/** Print a result: JSON when asked, else the human text. */
export function printResult(options: CommonOptions, value: unknown, text: () => string): void {
  if (options.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else process.stdout.write(`${text()}\n`);
}

/** Print an error the way the CLI promises and return its exit code. */
export function reportError(error: unknown, options: CommonOptions): number {
  if (isEdgePruneError(error)) {
    const e = error as EdgePruneError;
    if (options.json) process.stdout.write(`${JSON.stringify({ error: e.toJSON() }, null, 2)}\n`);
    else {
      process.stderr.write(`error ${e.code}: ${e.message}\n`);
      if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
    }
    if (options.debug && e.stack) process.stderr.write(`${e.stack}\n`);
    return EXIT_CODES[e.code] ?? 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ error: { code: 'INTERNAL', message } }, null, 2)}\n`);
  } else {
    process.stderr.write(`error INTERNAL: ${message}\n`);
    process.stderr.write('hint: this is a bug in edge-prune; rerun with --debug and report the stack trace\n');
  }
  if (options.debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return EXIT_CODES.INTERNAL;
}

/**
 * Wrap a command action: run it, map any error to its exit code.
 * The action may return an exit code (e.g. OVER_BUDGET); undefined means 0.
 */
export function action<A extends unknown[]>(
  run: (...args: A) => Promise<number | void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const cmd = args[args.length - 1] as { optsWithGlobals?: () => CommonOptions } | undefined;
    const options: CommonOptions = cmd?.optsWithGlobals?.() ?? {};
    try {
      const code = await run(...args);
      process.exitCode = code ?? 0;
    } catch (error) {
      process.exitCode = reportError(error, options);
    }
  };
}
