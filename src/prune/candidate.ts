// A candidate as the search measures it: the plan applied, and its weights round-tripped through the plan's lossy encoding.
import type { ChannelGroup, ModelBundle, PrunePlan } from '../core/types.ts';
import { roundTripWeights } from '../bundle/quantize.ts';
import { applyPlan } from './apply-plan.ts';

/**
 * The model a plan yields: its channels removed and, when the plan stores weights as float16 or uint8,
 * the weights carrying that encoding's rounding (what the runtime computes with after dequantizing).
 * The in-process search and queue workers both measure this, so their figures agree.
 */
export function candidateOf(bundle: ModelBundle, groups: readonly ChannelGroup[], plan: PrunePlan): ModelBundle {
  const pruned = applyPlan(bundle, groups, plan);
  return plan.encoding === 'float16' || plan.encoding === 'uint8' ? roundTripWeights(pruned, plan.encoding) : pruned;
}
