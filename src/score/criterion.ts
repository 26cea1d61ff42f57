// The Criterion interface every channel-ranking criterion implements, and the context it scores in.
import type { ChannelGroup, Graph, ModelBundle, WeightEntry } from '../core/types.ts';

/** What a criterion needs to score channels. */
export interface ScoreContext {
  bundle: ModelBundle;
  graph: Graph;
  groups: readonly ChannelGroup[];
  /** Seed for randomized criteria. */
  seed: number;
}

/** A channel-ranking criterion: higher scores are kept, lower dropped first. */
export interface Criterion {
  name: string;
  /** One line for `--help` and reports. */
  description: string;
  /** Scores per channel of one unlocked group. */
  scoreGroup(group: ChannelGroup, context: ScoreContext, weights: Map<string, WeightEntry>): Float64Array;
}

/** Weights by name. */
export function indexWeights(bundle: ModelBundle): Map<string, WeightEntry> {
  return new Map(bundle.weights.map((w) => [w.name, w]));
}

/** Is a member the main kernel of a producer/consumer (not its bias)? */
export function isKernelMember(slot: string): boolean {
  return slot === 'kernel' || slot === 'pointwise_kernel';
}
