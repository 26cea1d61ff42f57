// Keras 2 dialect in a legacy .h5 (batch_input_shape, list-form inbound_nodes, `name:0` weight names): fixtures written as .h5 import with parity.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JsonObject, ModelBundle } from '../../src/core/types.ts';
import { buildGraph } from '../../src/analyze/graph.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { requireRule } from '../../src/layers/rules.ts';
import { importKeras } from '../../src/import/keras/import-keras.ts';
import { predictOutputs } from '../../src/runtime/layers-model.ts';
import { ensureFixture, fixtureInputShape, type FixtureName } from '../fixtures/build-fixtures.ts';
import { hashSeed, randomInput } from '../fixtures/random.ts';
import { writeHdf5, type Hdf5Group } from './hdf5-writer.ts';
import { assertParity, unlockedGroupSizes } from './parity-helpers.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edge-prune-keras2-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Write a Layers bundle as Keras 2 writes a legacy .h5: the topology (Keras 2 dialect, class
 * "Functional") in model_config, each layer's weights under model_weights/<layer>/<layer>/<slot>:0,
 * listed in weight_names in the layer's slot order.
 */
async function writeKeras2H5(bundle: ModelBundle, path: string): Promise<void> {
  const graph = buildGraph(bundle);
  const byName = new Map(bundle.weights.map((w) => [w.name, w]));
  const groups: Record<string, Hdf5Group> = {};
  for (const node of graph.nodes) {
    const slots = requireRule(node.className, node.name).slots.map((s) => s.name).filter((s) => node.weights[s] !== undefined);
    if (slots.length === 0) continue;
    const data: Hdf5Group['data'] = {};
    for (const slot of slots) {
      const w = byName.get(node.weights[slot] as string);
      assert.ok(w);
      data[`${node.name}/${slot}:0`] = { shape: w.shape, values: w.data };
    }
    groups[`model_weights/${node.name}`] = { names: slots.map((s) => `${node.name}/${s}:0`), data };
  }
  const topology = { ...bundle.topology, class_name: bundle.topology['class_name'] === 'Model' ? 'Functional' : bundle.topology['class_name'] } as JsonObject;
  await writeHdf5(path, { model_config: JSON.stringify(topology), keras_version: '2.15.0', backend: 'tensorflow' }, groups);
}

describe('legacy Keras 2 .h5', () => {
  for (const name of ['mobilenetv2', 'inception', 'flatten-dense'] as FixtureName[]) {
    it(`${name} written as a Keras 2 .h5 imports with parity and the same groups`, async () => {
      const source = await readBundle(await ensureFixture(name));
      const path = join(dir, `${name}.h5`);
      await writeKeras2H5(source, path);
      const bundle = await importKeras(path);
      assert.equal((bundle.meta['importedFrom'] as { format: string }).format, 'keras-h5');
      const shape = [2, ...fixtureInputShape(name)];
      const input = randomInput(shape, hashSeed(`keras2-${name}`));
      assertParity(await predictOutputs(bundle, input, shape), await predictOutputs(source, input, shape), name);
      assert.deepEqual(unlockedGroupSizes(bundle), unlockedGroupSizes(source));
    });
  }
});
