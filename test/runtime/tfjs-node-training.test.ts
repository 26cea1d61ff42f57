// The tfjs-node backend (TensorFlow's C library): a whole training step matches the cpu reference; no leaks.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { EdgePruneError } from '../../src/core/errors.ts';
import { initBackend } from '../../src/runtime/backend.ts';
import { batchNormTrain } from '../../src/runtime/batch-norm-training.ts';
import { assertNoTensorLeak, assertStepMatchesReference } from './training-parity.ts';
import { assertAllClose, runOn, seeded } from './tensor-compare.ts';

let skip: string | false = false;

describe('tfjs-node training step', () => {
  before(async () => {
    try {
      const info = await initBackend('tfjs-node');
      assert.equal(info.name, 'tfjs-node');
    } catch (error) {
      // CI sets EDGE_PRUNE_REQUIRE_TFJS_NODE=1: there the binding must have been built by npm ci's postinstall.
      if (!(error instanceof EdgePruneError) || error.code !== 'BACKEND_UNAVAILABLE' || process.env.EDGE_PRUNE_REQUIRE_TFJS_NODE) throw error;
      skip = `tfjs-node binding does not load here (${error.found}); run node scripts/setup-tfjs-node.mjs`;
    }
  });

  it('fused batch norm (FusedBatchNormV3 / GradV3) matches the portable formulation', async (t) => {
    if (skip) return t.skip(skip);
    const f = () => {
      const x = tf.add(seeded([3, 5, 4, 6], 31, 2), 0.7);
      const gamma = seeded([6], 32);
      const beta = seeded([6], 33);
      const probe = seeded([3, 5, 4, 6], 34);
      const { y, mean, variance } = batchNormTrain(x, gamma, beta, 1e-3);
      const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(a, g, b, 1e-3).y, probe)))([x, gamma, beta]);
      const out = [y, tf.clone(mean), tf.clone(variance), ...grads];
      mean.dispose();
      variance.dispose();
      return out;
    };
    assertAllClose(await runOn('tensorflow', f), await runOn('cpu', f), 1e-4, 'fused batch norm');
  });

  it('strided 1×1 conv gradients with ≤ 8 input channels (oneDNN crashes on them) run and match cpu', async (t) => {
    if (skip) return t.skip(skip);
    for (const [h, cin, stride] of [[16, 8, 2], [15, 4, 2], [9, 3, 3], [16, 24, 2]] as const) {
      const f = () => {
        const x = seeded([4, h, h, cin], 41) as tf.Tensor4D;
        const w = seeded([1, 1, cin, 16], 42) as tf.Tensor4D;
        const probe = seeded(tf.conv2d(x, w, stride, 'same').shape, 43);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same'), probe)))([x, w]);
      };
      assertAllClose(await runOn('tensorflow', f), await runOn('cpu', f), 1e-4, `1×1 stride ${stride} conv, ${h}×${h}×${cin}`);
    }
  });

  it('matches the cpu reference (loss, every gradient, weights and BN statistics after SGD)', async (t) => {
    if (skip) return t.skip(skip);
    await assertStepMatchesReference('tensorflow');
  });

  it('keeps the tensor count flat across steps', async (t) => {
    if (skip) return t.skip(skip);
    await assertNoTensorLeak('tensorflow');
  });
});
