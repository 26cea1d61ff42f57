// The search's working state: per group, the original channel indices still kept, and the plan it means.
import type { ChannelGroup, PrunePlan } from '../core/types.ts';

/** Kept original indices per unlocked group. */
export type KeepState = Map<string, number[]>;

/** Every unlocked group keeps all channels. */
export function fullKeepState(groups: readonly ChannelGroup[]): KeepState {
  return new Map(groups.filter((g) => !g.locked).map((g) => [g.id, Array.from({ length: g.size }, (_, i) => i)]));
}

/** The plan a keep state stands for (groups that keep everything are listed with empty drops). */
export function planOf(groups: readonly ChannelGroup[], state: KeepState, criterion: string): PrunePlan {
  return {
    version: 1,
    criterion,
    groups: groups
      .filter((g) => state.has(g.id))
      .map((g) => {
        const keep = new Set(state.get(g.id));
        return { id: g.id, size: g.size, drop: Array.from({ length: g.size }, (_, i) => i).filter((i) => !keep.has(i)) };
      }),
  };
}

/** Allowed kept counts below `current`, largest first: multiples of `round` (any count when round ≤ 1). */
export function allowedKeeps(current: number, round: number): number[] {
  const out: number[] = [];
  const step = Math.max(1, round);
  const start = Math.floor((current - 1) / step) * step;
  for (let k = start; k >= step; k -= step) out.push(k);
  return out;
}

/** Smallest allowed kept count of a group of `size` channels. */
export function minimumKeep(size: number, round: number): number {
  if (round <= 1) return 1;
  return size > round ? round : size;
}
