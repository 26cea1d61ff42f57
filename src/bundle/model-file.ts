// The size of a model file about to be read: IO_ERROR when it is missing or not a regular file, INVALID_MODEL when too large.
import { stat } from 'node:fs/promises';
import { fail } from '../core/errors.ts';

/** What the messages say about the file kind and its limit. */
export interface ModelFileRules {
  /** e.g. `an ONNX model file`. */
  what: string;
  /** Hint when the file is missing, e.g. `pass the path of a .onnx file`. */
  missingHint: string;
  maxBytes: number;
  /** Hint when the file is larger than `maxBytes`. */
  tooLargeHint: string;
}

/** Size in bytes of a regular file within the limit, checked before anything is allocated for it. */
export async function requireModelFileSize(path: string, rules: ModelFileRules): Promise<number> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    fail('IO_ERROR', { expected: rules.what, found: 'no such file', where: path, hint: rules.missingHint });
  }
  if (size > rules.maxBytes) {
    fail('INVALID_MODEL', { expected: `${rules.what} of at most ${rules.maxBytes} bytes`, found: `${size} bytes`, where: path, hint: rules.tooLargeHint });
  }
  return size;
}
