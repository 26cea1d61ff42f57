// The one model-format dispatcher: detects a file's format by its content and turns it into a ModelBundle.
import { open, stat } from 'node:fs/promises';
import type { ModelBundle } from '../core/types.ts';
import { readBundle } from '../bundle/read-bundle.ts';
import { importOnnx } from './onnx/import-onnx.ts';
import { looksLikeOnnx } from './onnx/onnx-file.ts';

/** Formats a model file can have. */
export type ModelFormat = 'layers-json' | 'onnx';

/** The first bytes of a regular file, or undefined when it is missing or not a regular file (never opens a FIFO). */
async function readHead(path: string, bytes: number): Promise<Uint8Array | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
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
 * ONNX (+ external data) or TF.js Layers model.json (+ shards). Everything that is not ONNX (missing
 * files, folders, FIFOs, files that are not JSON) gets model.json's own checks and messages.
 */
export async function loadModel(path: string): Promise<ModelBundle> {
  return (await detectModelFormat(path)) === 'onnx' ? importOnnx(path) : readBundle(path);
}
