// The one model-format dispatcher: detects a file's format by its content and turns it into a ModelBundle.
import { open } from 'node:fs/promises';
import { fail } from '../core/errors.ts';
import type { ModelBundle } from '../core/types.ts';
import { readBundle } from '../load/read-bundle.ts';
import { importOnnx } from './import-onnx.ts';
import { looksLikeOnnx } from './onnx-file.ts';

/** Formats a model file can have. */
export type ModelFormat = 'layers-json' | 'onnx';

/** The first bytes of a file, or undefined when it cannot be opened as a file. */
async function readHead(path: string, bytes: number): Promise<Uint8Array | undefined> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = new Uint8Array(bytes);
      const { bytesRead } = await handle.read(head, 0, bytes, 0);
      return head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/** The format of a model file from its content: JSON (`{`) is a TF.js model.json, a protobuf ModelProto is ONNX. */
export async function detectModelFormat(path: string): Promise<ModelFormat | undefined> {
  const head = await readHead(path, 64);
  if (!head) return undefined;
  const text = new TextDecoder().decode(head).trimStart();
  if (text.startsWith('{')) return 'layers-json';
  return looksLikeOnnx(head) ? 'onnx' : undefined;
}

/**
 * Load a model in any supported format (detected by content, not by file name) as a ModelBundle:
 * TF.js Layers model.json (+ shards) or ONNX (+ external data).
 */
export async function loadModel(path: string): Promise<ModelBundle> {
  const format = await detectModelFormat(path);
  if (format === 'onnx') return importOnnx(path);
  if (format === 'layers-json') return readBundle(path);
  const head = await readHead(path, 1);
  if (!head) fail('IO_ERROR', { expected: 'a model file (model.json or .onnx)', found: 'no such file, or not a readable file', where: path, hint: 'check the path' });
  if (head.length === 0) return readBundle(path);
  return fail('INVALID_MODEL', {
    expected: 'a TF.js Layers model.json or an ONNX model',
    found: 'a file in neither format',
    where: path,
    hint: 'pass a model.json (with its shards) or a .onnx file exported by torch.onnx.export',
  });
}
