// Hostile and near-miss inputs to the graph-model and Keras importers: each a typed EdgePruneError, nothing written.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { attr } from '../../src/export/graph-context.ts';
import { detectFormat } from '../../src/import/detect-format.ts';
import { loadModel } from '../../src/import/load-model.ts';
import { GraphDefWriter, windowAttrs } from './graph-def-writer.ts';
import { writeHdf5 } from './hdf5-writer.ts';

const KERAS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/keras');

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edge-prune-hostile-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Expect loadModel(path) to fail with `code` (and `found` matching) and to leave the folder as it was. */
async function expectError(path: string, code: string, found?: RegExp): Promise<void> {
  const folder = dirname(path);
  const before = (await readdir(folder, { recursive: true })).sort();
  await assert.rejects(loadModel(path), (e: Error & { code?: string; found?: string; hint?: string }) => {
    assert.equal(e.name, 'EdgePruneError', `a typed error, got ${e.name}: ${e.message}`);
    assert.equal(e.code, code, e.message);
    if (found) assert.match(`${e.found} ${e.message}`, found);
    assert.ok((e.hint ?? '').length > 0, 'a hint');
    return true;
  });
  assert.deepEqual((await readdir(folder, { recursive: true })).sort(), before, 'nothing written');
}

/** A small valid graph model in its own folder. */
async function writeSmallGraph(name: string, options: { shape?: number[] } = {}): Promise<string> {
  const g = new GraphDefWriter(11);
  const x = g.input('image', options.shape ?? [6, 6, 3]);
  g.op('Conv2D', [x, g.random('k', [3, 3, 3, 4])], 'conv', windowAttrs());
  return g.write(join(dir, name));
}

/** A GraphDef JSON with the given non-Const nodes and no weights. */
async function writeNodes(name: string, nodes: object[]): Promise<string> {
  await mkdir(join(dir, name), { recursive: true });
  const path = join(dir, name, 'model.json');
  await writeFile(path, JSON.stringify({ format: 'graph-model', modelTopology: { node: nodes }, weightsManifest: [] }));
  return path;
}

describe('hostile graph models', () => {
  it('a node cycle is INVALID_MODEL', async () => {
    const relu = (name: string, input: string): object => ({ name, op: 'Relu', input: [input], attr: {} });
    await expectError(await writeNodes('cycle', [{ name: 'x', op: 'Placeholder', attr: { shape: { shape: { dim: [{ size: '-1' }, { size: '4' }] } } } }, relu('a', 'b'), relu('b', 'a'), relu('out', 'a')]), 'INVALID_MODEL', /cycle/);
    await expectError(await writeNodes('closed-cycle', [relu('a', 'b'), relu('b', 'a')]), 'INVALID_MODEL', /cycle/);
  });

  it('an input naming no node is INVALID_MODEL', async () => {
    await expectError(await writeNodes('dangling', [{ name: 'out', op: 'Relu', input: ['ghost'] }]), 'INVALID_MODEL', /ghost/);
  });

  it('weights shorter than their shapes are WEIGHTS_MISMATCH', async () => {
    const path = await writeSmallGraph('short');
    await truncate(join(dirname(path), 'group1-shard1of1.bin'), 100);
    await expectError(path, 'WEIGHTS_MISMATCH', /bytes/);
  });

  it('a shard path that escapes the folder is PATH_ESCAPE', async () => {
    const path = await writeSmallGraph('escape');
    const json = JSON.parse(await readFile(path, 'utf8'));
    json.weightsManifest[0].paths = ['../short/group1-shard1of1.bin'];
    await writeFile(path, JSON.stringify(json));
    await expectError(path, 'PATH_ESCAPE');
  });

  it('a Const without a stored value is MISSING_WEIGHTS', async () => {
    const path = await writeSmallGraph('no-const');
    const json = JSON.parse(await readFile(path, 'utf8'));
    json.modelTopology.node.push({ name: 'ghost_bias', op: 'Const', attr: {} }, { name: 'out', op: 'BiasAdd', input: ['conv', 'ghost_bias'], attr: { data_format: attr.str('NHWC') } });
    await writeFile(path, JSON.stringify(json));
    await expectError(path, 'MISSING_WEIGHTS', /ghost_bias/);
  });

  it('an input of unknown size is UNSUPPORTED_OP unless inputShape is given', async () => {
    const path = await writeSmallGraph('open-size', { shape: [-1, -1, 3] });
    await expectError(path, 'UNSUPPORTED_OP', /shape \[-1, -1, -1, 3\]/);
    const bundle = await loadModel(path, { inputShape: [6, 6, 3] });
    assert.equal(bundle.weights.length, 1);
  });
});

describe('hostile Keras files', () => {
  it('a truncated .keras zip is INVALID_MODEL', async () => {
    const bytes = await readFile(join(KERAS_DIR, 'se_fn.keras'));
    const path = join(dir, 'truncated.keras');
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectError(path, 'INVALID_MODEL', /zip/);
  });

  it('a zip that is not a .keras file is INVALID_MODEL (named .keras or not)', async () => {
    const path = join(dir, 'notes.keras');
    await writeFile(path, zipSync({ 'readme.txt': new TextEncoder().encode('hello') }));
    await expectError(path, 'INVALID_MODEL', /readme\.txt/);
  });

  it('a zip entry that escapes is PATH_ESCAPE', async () => {
    const path = join(dir, 'escape.keras');
    await writeFile(path, zipSync({ '../config.json': new TextEncoder().encode('{}'), 'model.weights.h5': new Uint8Array(8) }));
    await expectError(path, 'PATH_ESCAPE', /\.\.\/config\.json/);
  });

  it('a .keras whose weights belong to another model is WEIGHTS_MISMATCH', async () => {
    const take = async (name: string): Promise<Record<string, Uint8Array>> => {
      const { unzipSync } = await import('fflate');
      return unzipSync(new Uint8Array(await readFile(join(KERAS_DIR, `${name}.keras`))));
    };
    const vgg = await take('vgg_seq');
    const se = await take('se_fn');
    const path = join(dir, 'mixed.keras');
    await writeFile(path, zipSync({ 'config.json': vgg['config.json'] as Uint8Array, 'model.weights.h5': se['model.weights.h5'] as Uint8Array }));
    await expectError(path, 'WEIGHTS_MISMATCH');
  });

  it('a truncated .h5 is INVALID_MODEL', async () => {
    const bytes = await readFile(join(KERAS_DIR, 'vgg_seq.h5'));
    const path = join(dir, 'truncated.h5');
    await writeFile(path, bytes.subarray(0, 3000));
    await expectError(path, 'INVALID_MODEL');
  });

  it('an .h5 with a missing dataset is MISSING_WEIGHTS', async () => {
    const { openHdf5 } = await import('../../src/import/keras/hdf5.ts');
    const source = await openHdf5(new Uint8Array(await readFile(join(KERAS_DIR, 'vgg_seq.h5'))), 'vgg_seq.h5');
    const modelConfig = source.attr('/', 'model_config') as string;
    source.close();
    const path = join(dir, 'missing.h5');
    await writeHdf5(path, { model_config: modelConfig }, { 'model_weights/c1': { names: ['vgg_seq/c1/kernel', 'vgg_seq/c1/bias'], data: { 'vgg_seq/c1/kernel': { shape: [3, 3, 3, 8], values: new Float32Array(216) } } } });
    await expectError(path, 'MISSING_WEIGHTS', /vgg_seq\/c1\/bias/);
  });
});

describe('near misses are named by content', () => {
  it('a weights manifest without topology', async () => {
    const path = join(dir, 'weights_manifest.json');
    await writeFile(path, JSON.stringify([{ paths: ['a.bin'], weights: [{ name: 'k', shape: [1], dtype: 'float32' }] }]));
    await expectError(path, 'INVALID_MODEL', /a weights manifest, not a model: the architecture lives in code/);
    const objectForm = join(dir, 'manifest-only.json');
    await writeFile(objectForm, JSON.stringify({ weightsManifest: [{ paths: ['a.bin'], weights: [] }] }));
    await expectError(objectForm, 'INVALID_MODEL', /the architecture lives in code/);
  });

  it('an HDF5 file holding weights only', async () => {
    const path = join(dir, 'weights-only.h5');
    await writeHdf5(path, { layer_names: ['c1'] }, { c1: { names: ['c1/kernel'], data: { 'c1/kernel': { shape: [4], values: new Float32Array(4) } } } });
    await expectError(path, 'INVALID_MODEL', /weights-only HDF5 file, not a model/);
  });

  it('a SavedModel folder, a TFLite flatbuffer and an unknown file', async () => {
    const saved = join(dir, 'saved', 'model');
    await mkdir(join(saved, 'variables'), { recursive: true });
    await writeFile(join(saved, 'saved_model.pb'), new Uint8Array([8, 1]));
    await assert.rejects(loadModel(saved), (e: Error & { code?: string; found?: string; hint?: string }) => e.code === 'INVALID_MODEL' && /SavedModel/.test(e.found ?? '') && /tensorflowjs_converter|ONNX/.test(e.hint ?? ''));
    const tflite = join(dir, 'model.bin');
    await writeFile(tflite, new Uint8Array([0x1c, 0, 0, 0, ...new TextEncoder().encode('TFL3'), 0, 0, 0, 0]));
    await expectError(tflite, 'INVALID_MODEL', /TensorFlow Lite flatbuffer \(TFL3\): not supported yet/);
    const junk = join(dir, 'junk.onnx');
    await writeFile(junk, new Uint8Array([1, 2, 3, 4, 5]));
    await expectError(junk, 'INVALID_MODEL', /none of these formats/);
  });

  it('formats are detected by content, not by file name', async () => {
    const graph = await writeSmallGraph('renamed');
    const renamed = join(dirname(graph), 'model.h5');
    await writeFile(renamed, await readFile(graph));
    assert.equal(await detectFormat(renamed), 'graph-model');
    const keras = join(dir, 'model.json');
    await writeFile(keras, await readFile(join(KERAS_DIR, 'se_fn.keras')));
    assert.equal(await detectFormat(keras), 'keras');
    assert.equal(await detectFormat(join(KERAS_DIR, 'se_fn.h5')), 'keras-h5');
  });
});
