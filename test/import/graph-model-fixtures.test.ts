// Graph-model import of the project's own graph exports of every fixture: parity with tf.loadGraphModel and the same channel groups.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { importGraphModel } from '../../src/import/graph-model/import-graph-model.ts';
import { loadModel } from '../../src/import/load-model.ts';
import { predictOutputs } from '../../src/runtime/layers-model.ts';
import { FIXTURE_NAMES, ensureFixture, fixtureInputShape } from '../fixtures/build-fixtures.ts';
import { hashSeed, randomInput } from '../fixtures/random.ts';
import { exportAsGraphModel, runGraphReference } from './graph-helpers.ts';
import { assertParity, unlockedGroupSizes } from './parity-helpers.ts';

/** Fixtures ending in Softmax are compared on logits: the node before the Softmax. */
const LOGITS: Partial<Record<string, string>> = { 'flatten-dense': 'fc2' };

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edge-prune-graph-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('graph models exported from the fixtures import with parity', () => {
  for (const name of FIXTURE_NAMES) {
    it(name, async () => {
      const source = await readBundle(await ensureFixture(name));
      const path = await exportAsGraphModel(source, join(dir, name));
      const logits = LOGITS[name];
      const bundle = logits ? await importGraphModel(path, { outputs: [logits] }) : await loadModel(path);
      const shape = [2, ...fixtureInputShape(name)];
      const input = randomInput(shape, hashSeed(`graph-${name}`));
      const want = await runGraphReference(path, input, shape, logits ? [logits] : undefined);
      assertParity(await predictOutputs(bundle, input, shape), want, name);
      const meta = bundle.meta['importedFrom'] as { format: string; batchNormFolded: boolean };
      assert.equal(meta.format, 'tfjs-graph-model');
      assert.equal(meta.batchNormFolded, true, 'the graph export folds BatchNormalization');
      assert.deepEqual(unlockedGroupSizes(bundle), unlockedGroupSizes(source), 'the same prunable channel groups as the Layers model');
    });
  }
});
