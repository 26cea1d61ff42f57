// Detects a model file's format by content (JSON kind, zip, HDF5, TFLite, SavedModel folder), with a typed error for each near miss.
import { open, readdir, stat } from 'node:fs/promises';
import { fail } from '../core/errors.ts';
import type { JsonObject } from '../core/types.ts';
import { readModelJson } from '../bundle/read-bundle.ts';
import { isGraphModelJson } from './graph-model/graph-def.ts';
import { HDF5_MAGIC, ZIP_MAGIC, startsWith } from './keras/import-keras.ts';
import { looksLikeOnnx } from './onnx/onnx-file.ts';

/** Formats this detector recognizes; `unknown` is left to other importers (e.g. ONNX). */
export type DetectedFormat = 'layers-json' | 'graph-model' | 'onnx' | 'keras' | 'keras-h5' | 'unknown';

/** The first bytes of a file. */
async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(head, 0, bytes, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A folder is never a model file; a SavedModel folder gets its own hint. */
async function refuseFolder(path: string): Promise<never> {
  const entries = await readdir(path).catch(() => [] as string[]);
  if (entries.includes('saved_model.pb') || entries.includes('saved_model.pbtxt')) {
    fail('INVALID_MODEL', {
      expected: 'a model file edge-prune reads (TF.js model.json, .keras, .h5 or .onnx)',
      found: 'a TensorFlow SavedModel folder',
      where: path,
      hint: 'convert with tensorflowjs_converter --input_format=tf_saved_model (then pass its model.json) or export ONNX',
    });
  }
  return fail('INVALID_MODEL', {
    expected: 'a model file, not a folder',
    found: entries.includes('model.json') ? 'a folder holding model.json' : 'a folder',
    where: path,
    hint: entries.includes('model.json') ? `pass ${path.replace(/\/$/, '')}/model.json` : 'pass the model file itself',
  });
}

/** Is this JSON a TF.js weights manifest (a list of {paths, weights} groups, or only a weightsManifest)? */
function isWeightsManifest(json: unknown): boolean {
  const groups = Array.isArray(json) ? json : typeof json === 'object' && json !== null ? (json as JsonObject)['weightsManifest'] : undefined;
  return Array.isArray(groups) && groups.length > 0 && groups.every((g) => typeof g === 'object' && g !== null && 'paths' in g && 'weights' in g);
}

/** Classify a JSON model file. */
async function detectJson(path: string): Promise<DetectedFormat> {
  let json: JsonObject;
  try {
    json = await readModelJson(path);
  } catch (error) {
    // A top-level array is refused by readModelJson; it may be a weights manifest (weights_manifest.json).
    const { readFile } = await import('node:fs/promises');
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch {
      throw error;
    }
    if (isWeightsManifest(parsed)) json = { weightsManifest: parsed as unknown[] };
    else throw error;
  }
  if (isGraphModelJson(json)) return 'graph-model';
  if (typeof json['modelTopology'] === 'object' && json['modelTopology'] !== null) return 'layers-json';
  if (isWeightsManifest(json)) {
    fail('INVALID_MODEL', {
      expected: 'a model.json with a modelTopology (TF.js Layers) or a graph ("format": "graph-model")',
      found: 'a weights manifest, not a model: the architecture lives in code',
      where: path,
      hint: 'save the whole model (tfjs model.save or tensorflowjs_converter), not only its weights',
    });
  }
  return 'layers-json';
}

/**
 * The format of a model path, judged by content (never by file name). Near misses are typed
 * errors: a SavedModel folder, a TFLite flatbuffer, a bare weights manifest. Anything else comes
 * back as `unknown`.
 */
export async function detectFormat(path: string): Promise<DetectedFormat> {
  let info;
  try {
    info = await stat(path);
  } catch {
    fail('IO_ERROR', { expected: 'a model file', found: 'no such file', where: path, hint: 'check the path' });
  }
  if (info.isDirectory()) return refuseFolder(path);
  if (!info.isFile()) {
    // Reading a FIFO or a device would block or never end: refuse before opening.
    fail('IO_ERROR', { expected: 'a model file', found: 'a special file (FIFO, socket or device)', where: path, hint: 'pass a regular file' });
  }
  const head = await readHead(path, 64);
  if (head.length >= 8 && new TextDecoder().decode(head.subarray(4, 8)) === 'TFL3') {
    fail('INVALID_MODEL', { expected: 'a model format edge-prune imports', found: 'a TensorFlow Lite flatbuffer (TFL3): not supported yet', where: path, hint: 'import the model the .tflite file was converted from (SavedModel → tensorflowjs_converter, Keras, or ONNX)' });
  }
  if (startsWith(head, ZIP_MAGIC)) return 'keras';
  if (startsWith(head, HDF5_MAGIC)) return 'keras-h5';
  const text = new TextDecoder().decode(head).trimStart();
  if (text.startsWith('{') || text.startsWith('[')) return detectJson(path);
  return looksLikeOnnx(head) ? 'onnx' : 'unknown';
}
