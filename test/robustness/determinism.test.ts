// Determinism in-process: the same inputs and seed give byte-identical plans and pruned bundles from fresh loads.
import { test } from 'node:test';
import { CRITERIA } from '../../src/score/score-model.ts';
import { SMALL_FIXTURES } from '../fixtures/fixture-sets.ts';
import { assertDeterministicPruning } from './determinism-check.ts';

// VGG-16 (FSCL only): test/fixtures/vgg16.test.ts.
test('in-process: every fixture and criterion gives byte-identical plans and bundles from fresh loads', async () => {
  for (const name of SMALL_FIXTURES) await assertDeterministicPruning(name, Object.keys(CRITERIA));
});
