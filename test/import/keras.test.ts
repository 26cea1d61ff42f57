// Keras import: each committed .keras and .h5 fixture reproduces Keras's own outputs, analyzes, prunes (central property) and exports.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { importKeras } from '../../src/import/keras/import-keras.ts';
import { loadModel } from '../../src/import/load-model.ts';
import { predictOutputs } from '../../src/runtime/layers-model.ts';
import { assertParity, assertPruneProperty, unlockedGroupSizes } from './parity-helpers.ts';

const KERAS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/keras');

/** The fixtures made by scripts/make-keras-fixtures.py. */
const MODELS = ['vgg_seq', 'resnet_fn', 'mobilenet_fn', 'concat_fn', 'se_fn', 'prep_fn'];

/** Keras's reference: the seeded input and Keras's output on it. */
interface Reference {
  inputShape: number[];
  input: number[];
  output: number[];
  keras: string;
}

async function readReference(name: string): Promise<Reference> {
  return JSON.parse(await readFile(join(KERAS_DIR, `${name}.ref.json`), 'utf8')) as Reference;
}

describe('Keras files import with parity against Keras', () => {
  for (const name of MODELS) {
    it(`${name}: .keras and .h5 reproduce Keras ${'3'} outputs and give the same channel groups`, async () => {
      const ref = await readReference(name);
      const sizes: number[][] = [];
      for (const ext of ['keras', 'h5']) {
        const path = join(KERAS_DIR, `${name}.${ext}`);
        const bundle = await loadModel(path);
        assert.equal((bundle.meta['importedFrom'] as { format: string }).format, ext === 'keras' ? 'keras' : 'keras-h5');
        const got = await predictOutputs(bundle, Float32Array.from(ref.input), ref.inputShape);
        assertParity(got, [ref.output], `${name}.${ext}`);
        sizes.push(unlockedGroupSizes(bundle));
      }
      assert.ok((sizes[0] as number[]).length > 0, 'some channel groups are prunable');
      assert.deepEqual(sizes[1], sizes[0], '.h5 and .keras give the same groups');
    });
  }

  it('the BatchNormalization flag says whether BN layers survive', async () => {
    const withBn = await importKeras(join(KERAS_DIR, 'resnet_fn.keras'));
    const withoutBn = await importKeras(join(KERAS_DIR, 'concat_fn.keras'));
    assert.equal((withBn.meta['importedFrom'] as { batchNormFolded: boolean }).batchNormFolded, false);
    assert.equal((withoutBn.meta['importedFrom'] as { batchNormFolded: boolean }).batchNormFolded, true);
  });
});

describe('imported Keras models prune and export', () => {
  for (const name of MODELS) {
    it(`${name}: pruned equals zeroed at consumers`, async () => {
      const ref = await readReference(name);
      const bundle = await importKeras(join(KERAS_DIR, `${name}.keras`));
      await assertPruneProperty(bundle, Float32Array.from(ref.input), ref.inputShape, 17);
    });
  }

  for (const name of ['mobilenet_fn', 'se_fn']) {
    it(`${name}: exports to TF.js (Layers, graph) and ONNX with parity`, async () => {
      const bundle = await importKeras(join(KERAS_DIR, `${name}.keras`));
      const dir = await mkdtemp(join(tmpdir(), 'edge-prune-keras-'));
      try {
        const result = await exportBundle(bundle, { formats: ['tfjs', 'tfjs-graph', 'onnx'], outDir: join(dir, 'out') });
        assert.equal(result.formats.length, 3);
        for (const f of result.formats) assert.ok(f.parity.maxAbsDiff <= f.parity.tolerance, `${f.format} parity`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
