// The tfjs forward pass: correct values (against a direct convolution), no tensor leaks, typed errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEdgePruneError } from '../../src/core/errors.ts';
import type { ModelBundle, WeightEntry } from '../../src/core/types.ts';
import { countTensors, ensureBackend, predict, predictOutputs, toLayersModel } from '../../src/runtime/layers-model.ts';
import { buildFixture, fixtureInputShape } from '../fixtures/build-fixtures.ts';
import { randomInput } from '../fixtures/random.ts';

/** Direct 'same'-padded stride-1 convolution, channels-last, one image, kernel [kh,kw,cin,cout]. */
function convSame(x: Float32Array, h: number, w: number, cin: number, k: WeightEntry): Float64Array {
  const [kh, kw, kc, cout] = k.shape as [number, number, number, number];
  assert.equal(kc, cin);
  const out = new Float64Array(h * w * cout);
  const ph = Math.floor((kh - 1) / 2);
  const pw = Math.floor((kw - 1) / 2);
  for (let y = 0; y < h; y++)
    for (let xx = 0; xx < w; xx++)
      for (let m = 0; m < cout; m++) {
        let s = 0;
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const yy = y + i - ph;
            const xj = xx + j - pw;
            if (yy < 0 || yy >= h || xj < 0 || xj >= w) continue;
            for (let c = 0; c < cin; c++) s += (x[(yy * w + xj) * cin + c] as number) * (k.data[((i * kw + j) * cin + c) * cout + m] as number);
          }
        out[(y * w + xx) * cout + m] = s;
      }
  return out;
}

/** The bundle's weight by name. */
function weight(bundle: ModelBundle, name: string): WeightEntry {
  const w = bundle.weights.find((e) => e.name === name);
  assert.ok(w, `weight ${name}`);
  return w;
}

describe('runtime/layers-model', () => {
  it('uses the wasm backend in Node', async () => {
    assert.equal(await ensureBackend(), 'wasm');
  });

  it('predict equals a direct evaluation of the two-layer chain', async () => {
    const bundle = await buildFixture('chain');
    const [h, w, c] = fixtureInputShape('chain') as [number, number, number];
    const input = randomInput([1, h, w, c], 3);
    const got = await predict(bundle, input, [1, h, w, c]);
    const k1 = weight(bundle, 'conv1/kernel');
    const k2 = weight(bundle, 'conv2/kernel');
    const mid = Float32Array.from(convSame(input, h, w, c, k1));
    const want = convSame(mid, h, w, k1.shape[3] as number, k2);
    assert.equal(got.length, want.length);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
    assert.ok(worst < 1e-4, `max abs difference ${worst}`);
  });

  it('leaves no tensors behind', async () => {
    const bundle = await buildFixture('mobilenetv2');
    const shape = [2, ...fixtureInputShape('mobilenetv2')];
    await predict(bundle, randomInput(shape, 1), shape);
    const before = countTensors();
    for (let i = 0; i < 3; i++) await predict(bundle, randomInput(shape, i), shape);
    assert.equal(countTensors(), before);
  });

  it('is deterministic and batch-independent', async () => {
    const bundle = await buildFixture('inception');
    const shape = fixtureInputShape('inception');
    const one = randomInput([1, ...shape], 5);
    const two = new Float32Array(one.length * 2);
    two.set(randomInput([1, ...shape], 6));
    two.set(one, one.length);
    const a = await predict(bundle, one, [1, ...shape]);
    const b = await predict(bundle, two, [2, ...shape]);
    assert.deepEqual(await predict(bundle, one, [1, ...shape]), a);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs((a[i] as number) - (b[a.length + i] as number)) < 1e-5);
  });

  it('does not mutate the bundle', async () => {
    const bundle = await buildFixture('flatten-dense');
    const copy = structuredClone(bundle);
    const shape = [1, ...fixtureInputShape('flatten-dense')];
    const [out] = await predictOutputs(bundle, randomInput(shape, 1), shape);
    assert.ok(out && Math.abs(out.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'softmax output sums to 1');
    assert.deepEqual(bundle, copy);
  });

  it('rejects a wrong input size with INVALID_ARGUMENT', async () => {
    const bundle = await buildFixture('chain');
    await assert.rejects(predict(bundle, new Float32Array(5), [1, 16, 16, 3]), (e) => isEdgePruneError(e) && e.code === 'INVALID_ARGUMENT');
  });

  it('rejects a bundle whose weights do not fit the topology with INVALID_MODEL', async () => {
    const bundle = await buildFixture('chain');
    const broken: ModelBundle = { ...bundle, weights: bundle.weights.slice(0, 1) };
    await assert.rejects(toLayersModel(broken), (e) => isEdgePruneError(e) && e.code === 'INVALID_MODEL');
    assert.equal(countTensors(), 0);
  });
});
