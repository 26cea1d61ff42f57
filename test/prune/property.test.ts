// Central property (issue 2): pruning a keep-set equals zeroing the dropped channels where they are consumed.
import { describe, it } from 'node:test';
import { SMALL_FIXTURES } from '../fixtures/fixture-sets.ts';
import { assertPrunedEqualsZeroed } from './zeroed-consumers.ts';

// VGG-16: test/fixtures/vgg16.test.ts.
describe('pruned model equals the unpruned model with dropped channels zeroed at their consumers', () => {
  for (const name of SMALL_FIXTURES) it(name, () => assertPrunedEqualsZeroed(name));
});
