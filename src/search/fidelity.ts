// A label-free quality measure for search candidates: how closely a pruned model's outputs follow the original's.
import type { ModelBundle } from '../core/types.ts';
import { normalArray } from '../core/random.ts';
import { predictOutputs } from '../runtime/layers-model.ts';

/** Standard-normal inputs of a shape (batch first), seeded. */
export function seededInputs(shape: number[], seed: number): Float32Array {
  return normalArray(shape.reduce((a, b) => a * b, 1), seed);
}

/**
 * An evaluator that scores a candidate by the negative mean squared difference between its outputs
 * and the original model's on fixed inputs (higher is better). Used when the user gives no data.
 */
export async function fidelityEvaluator(original: ModelBundle, input: Float32Array, shape: number[]): Promise<(bundle: ModelBundle) => Promise<number>> {
  const reference = await predictOutputs(original, input, shape);
  return async (bundle: ModelBundle) => {
    const outputs = await predictOutputs(bundle, input, shape);
    let sum = 0;
    let count = 0;
    outputs.forEach((o, k) => {
      const r = reference[k] as Float32Array;
      for (let i = 0; i < o.length; i++) {
        const d = (o[i] as number) - (r[i] as number);
        sum += d * d;
      }
      count += o.length;
    });
    return -sum / Math.max(1, count);
  };
}
