// The search's candidate quality with data: accuracy (labelled) or agreement with the unpruned model, after BatchNorm re-estimation (seeded).
import type { ModelBundle } from '../core/types.ts';
import type { RunData } from '../data/run-data.ts';
import { reestimateBatchNorm } from './train-bn.ts';
import { evaluateAccuracy } from './train-eval.ts';
import { measureAgreement, predictImages } from './agreement.ts';

/**
 * The search's candidate quality on `data`: accuracy on the held-out search subset after the
 * candidate's BatchNorm statistics are re-estimated on the search BN subset (seeded).
 */
export function candidateAccuracy(data: Pick<RunData, 'searchBn' | 'searchEval'>, seed: number): (candidate: ModelBundle) => Promise<number> {
  return async (candidate) => (await evaluateAccuracy(await reestimateBatchNorm(candidate, data.searchBn, { seed }), data.searchEval)).accuracy;
}

/**
 * The search's label-free candidate quality on images: top-1 agreement with the unpruned model on
 * the held-out search subset, after the candidate's BatchNorm statistics are re-estimated on the
 * search BN subset (seeded). Works on unlabelled and labelled images alike.
 */
export async function candidateAgreement(data: Pick<RunData, 'searchBn' | 'searchEval'>, original: ModelBundle, seed: number): Promise<(candidate: ModelBundle) => Promise<number>> {
  const reference = await predictImages(original, data.searchEval);
  return async (candidate) => (await measureAgreement(await reestimateBatchNorm(candidate, data.searchBn, { seed }), reference, data.searchEval)).top1;
}
