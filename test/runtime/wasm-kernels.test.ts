// Every kernel the project registers on wasm matches the cpu backend (within 1e-4 relative).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend.ts';
import { registerWasmTrainingKernels } from '../../src/runtime/wasm-kernels/index.ts';
import { assertAllClose, runOn, seeded } from './tensor-compare.ts';

const RTOL = 1e-4;

/** Runs f on wasm and on cpu and compares every output. */
async function compareWithCpu(label: string, f: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const got = await runOn('wasm', f);
  const want = await runOn('cpu', f);
  assertAllClose(got, want, RTOL, label);
}

type Pad = 'same' | 'valid';
const CONV_CASES: Array<{ x: [number, number, number, number]; k: number; cout: number; stride: number; pad: Pad }> = [
  { x: [2, 9, 9, 3], k: 3, cout: 4, stride: 1, pad: 'same' },
  { x: [2, 10, 10, 4], k: 3, cout: 5, stride: 2, pad: 'same' },
  { x: [1, 11, 10, 3], k: 3, cout: 2, stride: 2, pad: 'valid' },
  { x: [2, 7, 7, 4], k: 1, cout: 6, stride: 1, pad: 'valid' },
  { x: [1, 12, 12, 2], k: 5, cout: 3, stride: 3, pad: 'same' },
  // Few input channels and many outputs: the patches (im2col + matmul) formulation of the filter gradient.
  { x: [2, 9, 9, 3], k: 3, cout: 32, stride: 2, pad: 'same' },
  { x: [1, 8, 8, 2], k: 3, cout: 24, stride: 1, pad: 'valid' },
];

describe('wasm training kernels', () => {
  before(async () => {
    const info = await initBackend('wasm');
    assert.equal(info.name, 'wasm');
  });

  it('registers the missing gradient kernels and the MaxPoolGrad replacement', () => {
    const names = registerWasmTrainingKernels();
    for (const k of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'MaxPoolGrad', 'Conv2DBackpropInput']) {
      assert.ok(names.includes(k), k);
      assert.ok(tf.getKernel(k, 'wasm'), `${k} registered`);
    }
  });

  for (const c of CONV_CASES) {
    it(`Conv2D gradients (input and filter) ${c.x.join('x')} k${c.k} s${c.stride} ${c.pad}`, async () => {
      await compareWithCpu('conv2d grads', () => {
        const x = seeded(c.x, 1) as tf.Tensor4D;
        const w = seeded([c.k, c.k, c.x[3], c.cout], 2, 0.5) as tf.Tensor4D;
        const probe = seeded(tf.conv2d(x, w, c.stride, c.pad).shape, 3);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), probe)))([x, w]);
      });
    });
  }

  for (const m of [1, 2]) {
    for (const c of CONV_CASES.slice(0, 3)) {
      it(`DepthwiseConv2D gradients ${c.x.join('x')} k${c.k} s${c.stride} ${c.pad} multiplier ${m}`, async () => {
        await compareWithCpu('depthwise grads', () => {
          const x = seeded(c.x, 4) as tf.Tensor4D;
          const w = seeded([c.k, c.k, c.x[3], m], 5, 0.5) as tf.Tensor4D;
          const probe = seeded(tf.depthwiseConv2d(x, w, c.stride, c.pad).shape, 6);
          return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), probe)))([x, w]);
        });
      });
    }
  }

  it('MaxPoolGrad routes to the window maximum when every value in a window is ≤ 0', async () => {
    // All inputs negative (and some windows all zero after a ReLU-like clamp): the stock kernel misroutes these.
    const f = (): tf.Tensor => {
      const raw = seeded([2, 6, 6, 3], 7);
      const x = tf.minimum(tf.sub(raw, 1.2), 0) as tf.Tensor4D;
      const probe = seeded([2, 3, 3, 3], 8);
      return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), probe)))(x);
    };
    await compareWithCpu('maxpool negative', f);
    const dx = (await runOn('wasm', f))[0]!;
    assert.equal(dx.filter((v) => v !== 0).length <= 2 * 3 * 3 * 3, true, 'one routed gradient per window at most');
  });

  it('MaxPoolGrad sends a tied window maximum (zeros after a ReLU, repeated values) to the first one', async () => {
    await compareWithCpu('maxpool ties', () => {
      const raw = seeded([2, 6, 6, 3], 12);
      const x = tf.relu(tf.round(tf.mul(raw, 2))) as tf.Tensor4D;
      const probe = seeded([2, 3, 3, 3], 13);
      return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), probe)))(x);
    });
  });

  for (const [size, stride, pad] of [[3, 2, 'same'], [2, 1, 'valid'], [3, 3, 'valid']] as const) {
    it(`MaxPoolGrad pool ${size} stride ${stride} ${pad} on mixed-sign input`, async () => {
      await compareWithCpu('maxpool', () => {
        const x = seeded([2, 7, 8, 3], 9) as tf.Tensor4D;
        const probe = seeded(tf.maxPool(x, size, stride, pad).shape, 10);
        return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, size, stride, pad), probe)))(x);
      });
    });
  }

  it('BatchMatMul with transposed operands (dense-layer gradients) agrees with cpu', async () => {
    await compareWithCpu('matmul', () => {
      const a = seeded([7, 5], 14);
      const b = seeded([5, 3], 15);
      const at = seeded([5, 7], 16);
      const bt = seeded([3, 5], 17);
      return [tf.matMul(a, bt, false, true), tf.matMul(at, b, true, false), tf.matMul(at, bt, true, true), tf.matMul(a, b),
        tf.matMul(seeded([2, 4, 5], 18), seeded([2, 3, 5], 19), false, true)];
    });
  });

  it('Transpose, Cast, Identity and Sum/Mean replacements agree with cpu', async () => {
    await compareWithCpu('misc', () => {
      const x = seeded([3, 4, 5, 6], 11);
      return [
        tf.transpose(x, [3, 1, 2, 0]), tf.transpose(x, [0, 2, 1, 3]), tf.transpose(seeded([2, 3, 4, 5, 6], 12), [4, 0, 3, 1, 2]),
        tf.cast(tf.transpose(tf.cast(tf.mul(x, 10), 'int32'), [1, 0, 2, 3]), 'float32'),
        tf.clone(x), tf.cast(x, 'float32'),
        tf.sum(x, [0, 1, 2]), tf.sum(x, [1, 2], true), tf.sum(x, 3), tf.sum(x), tf.mean(x, [0, 1, 2]), tf.mean(x, [1, 2]),
        tf.sum(x, [0, 2]),
      ];
    });
  });
});
