// Test helpers for the training-engine tests: seeded data, running a function on a named backend, closeness checks.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { uniformArray } from '../../src/core/random.ts';

/** Deterministic pseudo-random floats in [-1, 1) (core/random `uniformArray`). */
export function seededFloats(n: number, seed: number): Float32Array {
  return uniformArray(n, seed, -1, 1);
}

/** A seeded float32 tensor on the current backend. */
export function seeded(shape: number[], seed: number, scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(seededFloats(n, seed).map((v) => v * scale), shape, 'float32');
}

/** Runs f on the named backend and returns every resulting tensor's data (tensors disposed). */
export async function runOn(backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  assert.ok(await tf.setBackend(backend), `backend ${backend} should initialize`);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const data = list.map((t) => new Float32Array(t.dataSync()));
  tf.dispose(list);
  return data;
}

/**
 * Asserts two arrays agree within rtol relative to the reference's largest magnitude
 * (norm-wise relative error, the usual test for float32 kernels that sum in different orders).
 * `floor` bounds that magnitude from below, for tensors that are zero up to rounding.
 */
export function assertClose(actual: Float32Array, expected: Float32Array, rtol: number, label: string, floor = 1e-12): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let maxRef = 0;
  let maxDiff = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(expected[i]!));
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= maxDiff)) {
      maxDiff = d;
      at = i;
    }
  }
  const rel = maxDiff / Math.max(maxRef, floor);
  assert.ok(rel <= rtol, `${label}: relative error ${rel.toExponential(2)} > ${rtol} at ${at} (got ${actual[at]}, want ${expected[at]})`);
}

/** Largest magnitude across a list of arrays. */
export function maxAbs(list: Float32Array[]): number {
  let m = 0;
  for (const a of list) for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Compares lists of arrays pairwise with assertClose; with `shared` each array's scale is at least
 * 1% of the largest magnitude in the whole list (gradients that are zero in exact arithmetic, such as
 * a conv bias feeding batch norm, carry only rounding noise).
 */
export function assertAllClose(actual: Float32Array[], expected: Float32Array[], rtol: number, label: string, shared = false): void {
  assert.equal(actual.length, expected.length, `${label}: count`);
  const floor = shared ? 0.01 * maxAbs(expected) : 1e-12;
  actual.forEach((a, i) => assertClose(a, expected[i]!, rtol, `${label}[${i}]`, floor));
}
