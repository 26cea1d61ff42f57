// Typed errors: every failure the library reports is an EdgePruneError with a code and a hint.

/** Every error code the library can raise; the CLI maps them to exit codes. */
export type ErrorCode =
  | 'INVALID_JSON'
  | 'INVALID_MODEL'
  | 'UNSUPPORTED_LAYER'
  | 'UNSUPPORTED_OP'
  | 'MISSING_WEIGHTS'
  | 'WEIGHTS_MISMATCH'
  | 'PATH_ESCAPE'
  | 'INVALID_PLAN'
  | 'INVALID_ARGUMENT'
  | 'INVALID_CONFIG'
  | 'BUDGET_UNREACHABLE'
  | 'PARITY_FAILED'
  | 'INVALID_DATA'
  | 'BACKEND_UNAVAILABLE'
  | 'DEVICE_UNAVAILABLE'
  | 'IO_ERROR'
  | 'QUEUE_UNAVAILABLE'
  | 'JOB_FAILED'
  | 'QUEUE_TIMEOUT'
  | 'INVALID_JOB'
  | 'INPUT_MISMATCH'
  | 'INTERNAL';

/** Structured detail behind an error: what was expected, what was found, and where. */
export interface ErrorDetail {
  /** What the input should have been. */
  expected: string;
  /** What was actually there. */
  found: string;
  /** Where: a file, a layer, a field path. */
  where: string;
  /** What the user can do about it. */
  hint: string;
}

/** The one error type library code throws. Only the CLI prints it. */
export class EdgePruneError extends Error {
  readonly code: ErrorCode;
  readonly expected: string;
  readonly found: string;
  readonly where: string;
  readonly hint: string;

  constructor(code: ErrorCode, detail: ErrorDetail, options?: { cause?: unknown }) {
    super(`${detail.where}: expected ${detail.expected}, found ${detail.found}`, options);
    this.name = 'EdgePruneError';
    this.code = code;
    this.expected = detail.expected;
    this.found = detail.found;
    this.where = detail.where;
    this.hint = detail.hint;
  }

  /** A plain object for `--json` error output. */
  toJSON(): Record<string, string> {
    return {
      code: this.code,
      message: this.message,
      expected: this.expected,
      found: this.found,
      where: this.where,
      hint: this.hint,
    };
  }
}

/**
 * A short printable form of any value for error messages: JSON cut to `max` characters, never
 * throwing (values nested too deeply for JSON.stringify, cycles and BigInts get a plain description).
 */
export function describeValue(value: unknown, max = 120): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? 'a list nested too deeply to print' : `a ${typeof value} that cannot be printed`;
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** Shorthand for throwing a typed error. */
export function fail(code: ErrorCode, detail: ErrorDetail): never {
  throw new EdgePruneError(code, detail);
}

/** Is this value an EdgePruneError (also across module copies)? */
export function isEdgePruneError(value: unknown): value is EdgePruneError {
  return value instanceof EdgePruneError || (value instanceof Error && value.name === 'EdgePruneError' && 'code' in value);
}
