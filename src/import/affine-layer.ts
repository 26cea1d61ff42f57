// A per-channel affine map y = x·scale + shift as a BatchNormalization layer (moving mean 0, variance 1 − ε), shared by the importers.
import type { JsonObject } from '../core/types.ts';
import type { BuiltWeight } from './keras-builder.ts';

/** Epsilon of the BatchNormalization layers that stand for a plain affine map. */
export const AFFINE_EPSILON = 1e-3;

/** Config and weights of a BatchNormalization layer computing x·scale + shift per channel. */
export function affineBatchNorm(scale: Float32Array, shift: Float32Array): { config: JsonObject; weights: BuiltWeight[] } {
  const c = scale.length;
  return {
    config: { axis: -1, epsilon: AFFINE_EPSILON, center: true, scale: true, momentum: 0.99 },
    weights: [
      { slot: 'gamma', shape: [c], data: scale },
      { slot: 'beta', shape: [c], data: shift },
      { slot: 'moving_mean', shape: [c], data: new Float32Array(c) },
      { slot: 'moving_variance', shape: [c], data: new Float32Array(c).fill(1 - AFFINE_EPSILON) },
    ],
  };
}
