// The search's candidate quality with data: accuracy after the candidate's BatchNorm statistics are re-estimated (seeded).
import type { ModelBundle } from '../core/types.ts';
import type { RunData } from '../data/run-data.ts';
import { reestimateBatchNorm } from './train-bn.ts';
import { evaluateAccuracy } from './train-eval.ts';

/**
 * The search's candidate quality on `data`: accuracy on the held-out search subset after the
 * candidate's BatchNorm statistics are re-estimated on the search BN subset (seeded).
 */
export function candidateAccuracy(data: Pick<RunData, 'searchBn' | 'searchEval'>, seed: number): (candidate: ModelBundle) => Promise<number> {
  return async (candidate) => (await evaluateAccuracy(await reestimateBatchNorm(candidate, data.searchBn, { seed }), data.searchEval)).accuracy;
}
