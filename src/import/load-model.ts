// The model-format dispatcher: detects a file's format by content and turns it into a ModelBundle.
import { fail } from '../core/errors.ts';
import type { ModelBundle } from '../core/types.ts';
import { readBundle } from '../bundle/read-bundle.ts';
import { detectFormat } from './detect-format.ts';
import { importGraphModel, type GraphImportOptions } from './graph-model/import-graph-model.ts';
import { importKeras } from './keras/import-keras.ts';

/** Options that apply to some formats (ignored by the others). */
export type LoadModelOptions = GraphImportOptions;

/**
 * Load a model in any supported format, detected by content: a TF.js Layers model.json, a TF.js
 * graph model (`outputs`/`inputShape` apply), a Keras `.keras` zip or a legacy `.h5`.
 */
export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<ModelBundle> {
  const format = await detectFormat(path);
  switch (format) {
    case 'layers-json':
      return readBundle(path);
    case 'graph-model':
      return importGraphModel(path, options);
    case 'keras':
    case 'keras-h5':
      return importKeras(path);
    default:
      return fail('INVALID_MODEL', {
        expected: 'a TF.js model.json (Layers or graph model), a Keras .keras or .h5 file',
        found: 'a file in none of these formats',
        where: path,
        hint: 'pass a model.json (with its shards), a .keras file or a .h5 file saved by Keras',
      });
  }
}
