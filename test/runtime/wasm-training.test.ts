// A whole training step of the small CNN on the wasm backend matches the cpu reference; no tensor leaks.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend } from '../../src/runtime/backend.ts';
import { assertNoTensorLeak, assertStepMatchesReference } from './training-parity.ts';

describe('wasm training step', () => {
  before(async () => {
    const info = await initBackend('wasm');
    assert.equal(info.name, 'wasm');
  });

  it('matches the cpu reference (loss, every gradient, weights and BN statistics after SGD)', async () => {
    await assertStepMatchesReference('wasm');
  });

  it('keeps the tensor count flat across steps', async () => {
    await assertNoTensorLeak('wasm');
  });
});
