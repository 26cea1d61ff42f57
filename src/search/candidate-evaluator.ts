// How the search measures a round's candidates: one batch of plans in, one quality per plan out (in-process by default, or on workers).
import type { ChannelGroup, ModelBundle, PrunePlan } from '../core/types.ts';
import { candidateOf } from '../prune/candidate.ts';

/**
 * Measures the quality of every candidate plan of one search round (higher is better). The search
 * hands over a whole round at once so an implementation may evaluate the candidates in parallel
 * (e.g. on queue workers); the results must not depend on how the batch is split.
 */
export interface CandidateEvaluator {
  /** Quality of each plan, in the order given; `onDone` is called with the count finished so far. */
  evaluatePlans(plans: readonly PrunePlan[], onDone?: (done: number) => void): Promise<number[]>;
}

/** The embedded default: each plan applied to `bundle` (weights in its encoding) and measured by `evaluate`, one after another in this process. */
export function inProcessEvaluator(bundle: ModelBundle, groups: readonly ChannelGroup[], evaluate: (candidate: ModelBundle) => Promise<number>): CandidateEvaluator {
  return {
    async evaluatePlans(plans, onDone) {
      const out: number[] = [];
      for (const plan of plans) {
        out.push(await evaluate(candidateOf(bundle, groups, plan)));
        onDone?.(out.length);
      }
      return out;
    },
  };
}
