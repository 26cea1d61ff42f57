// Imports a Keras file (Keras 3 `.keras` zip or legacy `.h5`, Sequential or Functional) as a ModelBundle, without Python.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fail } from '../../core/errors.ts';
import type { JsonObject, ModelBundle } from '../../core/types.ts';
import { MAX_JSON_DEPTH, MAX_MODEL_ELEMENTS, jsonDepth, requireFinite } from '../../bundle/read-bundle.ts';
import { parseTopology, sortTopologically } from '../../analyze/topology.ts';
import { requireRule } from '../../layers/rules.ts';
import { KerasBuilder, type LayerRecord } from '../keras-builder.ts';
import { openHdf5, type Hdf5Reader } from './hdf5.ts';
import { readKerasArchive } from './keras-archive.ts';
import { normalizeLayerConfig, presentSlots, tfjsActivation } from './keras-config.ts';
import { keras3WeightSource, legacyWeightSource, type WeightSource } from './keras-weights.ts';
import { isOpLayer, translateLayer } from './translate-layers.ts';
import { requireModelFileSize } from '../../bundle/model-file.ts';

/** Largest Keras file read (1 GiB of float32 weights plus the config). */
export const MAX_KERAS_BYTES = 2 ** 30 + 64 * 2 ** 20;

/** First bytes of a zip and of an HDF5 file. */
export const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
export const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Does `bytes` start with `magic`? */
export function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** The model config stored in a legacy `.h5` (`model_config` attribute), or the weights-only near miss. */
function legacyConfig(h5: Hdf5Reader, path: string): JsonObject {
  const raw = h5.attr('/', 'model_config');
  if (typeof raw !== 'string') {
    fail('INVALID_MODEL', {
      expected: 'a Keras .h5 model (a "model_config" attribute with the architecture)',
      found: h5.keys('/')?.includes('layers') || h5.attr('/', 'layer_names') !== undefined ? 'a weights-only HDF5 file, not a model: the architecture lives in code' : 'an HDF5 file without a Keras model_config',
      where: path,
      hint: 'save the whole model (model.save("model.keras")), not only its weights',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    fail('INVALID_JSON', { expected: 'JSON in the model_config attribute', found: (error as Error).message, where: path, hint: 'the .h5 file is corrupt; save the model again' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || jsonDepth(parsed, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    fail('INVALID_MODEL', { expected: 'a model_config JSON object', found: typeof parsed, where: path, hint: 'the .h5 file is corrupt; save the model again' });
  }
  return parsed as JsonObject;
}

/** The declared layer objects of a model config (module, inbound_nodes), by layer name. */
function declaredLayers(config: JsonObject): Map<string, JsonObject> {
  const inner = config['config'];
  const list = Array.isArray(inner) ? inner : typeof inner === 'object' && inner !== null ? (inner as JsonObject)['layers'] : undefined;
  const out = new Map<string, JsonObject>();
  for (const entry of Array.isArray(list) ? list : []) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as JsonObject;
    const name = e['name'] ?? (e['config'] as JsonObject | undefined)?.['name'];
    if (typeof name === 'string') out.set(name, e);
  }
  return out;
}

/** Build the bundle from a Keras model config and a weight source. */
function buildBundle(config: JsonObject, weightsOf: (layers: { name: string; className: string }[]) => WeightSource, path: string, meta: JsonObject): ModelBundle {
  const raw = parseTopology(config);
  const entries = declaredLayers(config);
  const source = weightsOf(raw.layers.filter((l) => !isOpLayer(entries.get(l.name))));
  const builder = new KerasBuilder();
  const records = new Map<string, LayerRecord>();
  let elements = 0;
  for (const layer of sortTopologically(raw)) {
    const inputs = layer.inputs.map((n) => records.get(n) as LayerRecord);
    const stored = source(layer.name);
    const translated = translateLayer(builder, layer.name, layer.className, layer.config, entries.get(layer.name), inputs, stored);
    if (translated) {
      records.set(layer.name, translated);
      continue;
    }
    const rule = requireRule(layer.className, layer.name);
    const slots = presentSlots(rule.slots, layer.config);
    if (stored.length !== slots.length) {
      fail('WEIGHTS_MISMATCH', { expected: `${slots.length} stored weights (${slots.join(', ') || 'none'})`, found: `${stored.length}`, where: `${path}: layer "${layer.name}" (${layer.className})`, hint: 'the weights do not belong to this architecture; save the model again' });
    }
    elements += stored.reduce((n, w) => n + w.data.length, 0);
    if (elements > MAX_MODEL_ELEMENTS) fail('INVALID_MODEL', { expected: `at most ${MAX_MODEL_ELEMENTS} weight values`, found: 'more', where: path, hint: 'edge-prune handles models up to 1 GiB of float32 weights' });
    const weights = slots.map((slot, i) => ({ slot, shape: (stored[i] as { shape: number[] }).shape, data: (stored[i] as { data: Float32Array }).data }));
    const config = normalizeLayerConfig(layer.className, layer.config);
    if (typeof config['activation'] === 'string') {
      const activation = tfjsActivation(config['activation']);
      if (!activation) fail('UNSUPPORTED_LAYER', { expected: 'an activation TF.js runs the same way (relu, relu6, elu, selu, sigmoid, softmax, softplus, softsign, tanh, swish/silu, mish, linear)', found: `activation "${config['activation']}"`, where: `${path}: layer "${layer.name}" (${layer.className})`, hint: 'replace the activation before saving, or export ONNX from the framework instead' });
      config['activation'] = activation;
    }
    const keepdims = /^Global(Average|Max)Pooling2D$/.test(layer.className) && config['keepdims'] === true;
    if (keepdims) delete config['keepdims'];
    let record = builder.add(layer.className, layer.name, config, inputs, weights);
    // tfjs's global pooling layers ignore keepdims: keep the axes with a Reshape to [1, 1, C].
    if (keepdims) record = builder.add('Reshape', `${layer.name}_keepdims`, { target_shape: [1, 1, ...record.outputShape] }, [record]);
    records.set(layer.name, record);
  }
  const pick = (names: string[]): LayerRecord[] => names.map((n) => records.get(n) as LayerRecord);
  const modelConfig = (typeof config['config'] === 'object' && config['config'] !== null ? config['config'] : {}) as JsonObject;
  const name = typeof modelConfig['name'] === 'string' ? modelConfig['name'] : basename(path).replace(/\.[^.]*$/, '');
  const bundle = builder.toBundle(name, pick(raw.inputs), pick(raw.outputs), {});
  requireFinite(bundle.weights, path);
  const hasBn = raw.layers.some((l) => l.className === 'BatchNormalization');
  return { ...bundle, meta: { ...meta, importedFrom: { ...(meta['importedFrom'] as JsonObject), batchNormFolded: !hasBn } } };
}

/** Read the file with a size check. */
async function readKerasBytes(path: string): Promise<Uint8Array> {
  await requireModelFileSize(path, { what: 'a Keras model file', missingHint: 'pass the path of a .keras or .h5 file', maxBytes: MAX_KERAS_BYTES, tooLargeHint: 'edge-prune handles models up to 1 GiB of float32 weights' });
  return new Uint8Array(await readFile(path));
}

/**
 * Import a Keras model file, detected by content: a Keras 3 `.keras` zip (config.json +
 * model.weights.h5, weights addressed by layer path) or a legacy `.h5` (model_config attribute,
 * weights under model_weights). Keras 2 and Keras 3 config dialects are both read.
 */
export async function importKeras(path: string): Promise<ModelBundle> {
  const bytes = await readKerasBytes(path);
  const isZip = startsWith(bytes, ZIP_MAGIC);
  if (!isZip && !startsWith(bytes, HDF5_MAGIC)) {
    fail('INVALID_MODEL', { expected: 'a Keras file (.keras zip or .h5 HDF5)', found: 'neither a zip nor an HDF5 file', where: path, hint: 'save the model with model.save("model.keras")' });
  }
  const archive = isZip ? readKerasArchive(bytes, path) : undefined;
  const h5 = await openHdf5(archive ? archive.weights : bytes, archive ? `${path}: model.weights.h5` : path);
  try {
    const config = archive ? archive.config : legacyConfig(h5, path);
    const version = archive ? archive.metadata['keras_version'] : h5.attr('/', 'keras_version');
    const meta: JsonObject = {
      format: 'layers-model',
      generatedBy: `keras ${typeof version === 'string' ? version : 'unknown'}`,
      convertedBy: 'edge-prune import (keras)',
      importedFrom: { format: archive ? 'keras' : 'keras-h5', file: path },
    };
    const source = archive ? (layers: { name: string; className: string }[]) => keras3WeightSource(h5, layers, `${path}: model.weights.h5`) : () => legacyWeightSource(h5, path);
    const bundle = buildBundle(config, source, path, meta);
    // Writers keep the source's weight storage: float16 datasets (most of the elements) make a float16 source.
    const stored = h5.floatElements();
    const weightEncoding = stored.float16 > stored.other ? 'float16' : 'float32';
    return { ...bundle, meta: { ...bundle.meta, importedFrom: { ...(bundle.meta['importedFrom'] as JsonObject), weightEncoding } } };
  } finally {
    h5.close();
  }
}
