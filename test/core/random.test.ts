// The one seeded generator: fixed streams, one Box–Muller, arrays and shuffles built on the same uniform draws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boxMuller, createNormal, createRandom, normalArray, normalSample, shuffledOrder, uniformArray } from '../../src/core/random.ts';

test('createRandom is mulberry32: a fixed stream per seed, unrelated streams for nearby seeds', () => {
  const ref = (seed: number): number => {
    let t = (seed + 0x6d2b79f5) >>> 0;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  assert.equal(createRandom(0)(), ref(0));
  assert.equal(createRandom(41)(), ref(41));
  const a = createRandom(1);
  const b = createRandom(2);
  assert.notEqual(a(), b());
});

test('normals: normalSample and createNormal are the two branches of one Box–Muller transform', () => {
  const u = createRandom(9);
  const [u1, u2] = [u(), u()];
  assert.equal(normalSample(createRandom(9)), boxMuller(Math.max(u1, 1e-12), u2)[0]);
  const n = createNormal(createRandom(9));
  const [c, s] = boxMuller(1 - u1, u2);
  assert.equal(n(), c);
  assert.equal(n(), s);
  const xs = normalArray(20000, 3);
  const m = xs.reduce((a, v) => a + v, 0) / xs.length;
  const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
  assert.ok(Math.abs(m) < 0.03 && Math.abs(v - 1) < 0.05, `mean ${m}, variance ${v}`);
});

test('uniformArray and shuffledOrder draw from createRandom', () => {
  const next = createRandom(5);
  assert.deepEqual(uniformArray(4, 5, -1, 1), Float32Array.from([next(), next(), next(), next()], (x) => -1 + 2 * x));
  const order = shuffledOrder(50, createRandom(11));
  assert.deepEqual([...order].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(order, shuffledOrder(50, createRandom(11)));
  assert.notDeepEqual(order, shuffledOrder(50, createRandom(12)));
});
