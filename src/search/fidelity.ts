// Label-free quality of search candidates: how closely a pruned model follows the unpruned one, and the floor below which the search stops.
import type { Graph, ModelBundle } from '../core/types.ts';
import { normalArray } from '../core/random.ts';
import { predictOutputs } from '../runtime/layers-model.ts';
import { compareOutputs } from '../runtime/agreement.ts';
import { outputsProbabilities } from '../runtime/train-model.ts';

/** Which label-free measure the search compares candidates by. */
export type FidelityMeasure = 'top-1 agreement' | 'logit cosine' | 'output fidelity';

/**
 * Default floors. On images, 0.9 top-1 agreement with the unpruned model: a pruned model that
 * changes more than one decision in ten has lost accuracy no budget is worth, and with labels the
 * accuracy-drop budget (2 points) is the tighter test. On seeded noise inputs (no images at all)
 * top-1 agreement is meaningless (the unpruned model gives noise one or two classes), so the floor
 * is on the cosine of centred logits: 0.9, an angle of about 26° between the logit vectors. It is
 * deliberately high, because noise is off the data's distribution and a candidate that keeps
 * its logits' direction on noise can still fail on real images; a lower floor needs `--min-agreement`.
 * Dense-prediction models (detectors, segmenters) on images: `output fidelity`, 1 − the mean over raw
 * outputs of Σ(y − r)²/max(Σ(r − mean r)², 0.01·Σr²), held at 0.5 before fine-tuning (distillation on the raw outputs recovers more).
 */
export const DEFAULT_FLOORS: Record<FidelityMeasure, number> = { 'top-1 agreement': 0.9, 'logit cosine': 0.9, 'output fidelity': 0.5 };

/** The floor the search holds: candidates whose measure falls below `value` are not taken. */
export interface FidelityFloor {
  measure: FidelityMeasure;
  value: number;
  /** What the measure was computed on (for messages). */
  on: string;
}

/** The shape of the seeded inputs the label-free search measures on: a batch of 8 model inputs. */
export function fidelityInputShape(graph: Graph): number[] {
  return [8, ...(graph.nodes.find((n) => n.className === 'InputLayer')?.outputShape ?? [])];
}

/** Standard-normal inputs of a shape (batch first), seeded. */
export function seededInputs(shape: number[], seed: number): Float32Array {
  return normalArray(shape.reduce((a, b) => a * b, 1), seed);
}

/**
 * An evaluator that scores a candidate by the mean cosine similarity of its centred logits and the
 * original model's on fixed inputs (1 = the same direction; higher is better). Used when the user
 * gives no images. With several outputs (detectors, segmenters) every raw output counts: the score
 * is the mean over outputs of each output's per-input centred cosine.
 */
export async function fidelityEvaluator(original: ModelBundle, input: Float32Array, shape: number[]): Promise<(bundle: ModelBundle) => Promise<number>> {
  const reference = await predictOutputs(original, input, shape);
  const batch = shape[0] ?? 1;
  // A softmax ends a classifier only: dense-prediction outputs are compared raw.
  const probabilities = reference.length === 1 && outputsProbabilities(original);
  return async (bundle: ModelBundle) => {
    const outputs = await predictOutputs(bundle, input, shape);
    const cosines = reference.map((r, k) => compareOutputs(outputs[k] ?? new Float32Array(r.length), r, r.length / batch, probabilities).cosine);
    return cosines.reduce((a, b) => a + b, 0) / Math.max(1, cosines.length);
  };
}
