// The one model-format dispatcher: detects a file's format by its content and turns it into a ModelBundle.
import { fail } from '../core/errors.ts';
import type { ModelBundle } from '../core/types.ts';
import { readBundle } from '../bundle/read-bundle.ts';
import { detectFormat, type DetectedFormat } from './detect-format.ts';
import { importGraphModel, type GraphImportOptions } from './graph-model/import-graph-model.ts';
import { importKeras } from './keras/import-keras.ts';
import { importOnnx } from './onnx/import-onnx.ts';

/** Formats a model file can have (detected by content). */
export type ModelFormat = Exclude<DetectedFormat, 'unknown'>;

/** Options that apply to some formats (ignored by the others): `outputs` for graph models and ONNX, `inputShape` for graph models. */
export type LoadModelOptions = GraphImportOptions;

/**
 * The format of a model file from its content (never its name), or undefined for bytes of no known
 * format. Near misses (SavedModel folder, TFLite, a bare weights manifest, special files) are typed errors.
 */
export async function detectModelFormat(path: string): Promise<ModelFormat | undefined> {
  const format = await detectFormat(path);
  return format === 'unknown' ? undefined : format;
}

/**
 * Load a model in any supported format as a ModelBundle: a TF.js Layers model.json (+ shards), a
 * TF.js graph model, an ONNX file (+ external data), a Keras `.keras` zip or a legacy `.h5`.
 */
export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<ModelBundle> {
  const format = await detectFormat(path);
  switch (format) {
    case 'layers-json':
      return readBundle(path);
    case 'graph-model':
      return importGraphModel(path, options);
    case 'onnx':
      return importOnnx(path, options.outputs ? { outputs: options.outputs } : {});
    case 'keras':
    case 'keras-h5':
      return importKeras(path);
    default:
      return fail('INVALID_MODEL', {
        expected: 'a TF.js model.json (Layers or graph model), an ONNX file, or a Keras .keras or .h5 file',
        found: 'a file in none of these formats',
        where: path,
        hint: 'pass a model.json (with its shards), a .onnx file, a .keras file or a .h5 file saved by Keras',
      });
  }
}
