// Manual mode: a plan that drops a fraction of each unlocked group's lowest-scored channels.
import { describeValue, fail } from '../core/errors.ts';
import type { ChannelGroup, PrunePlan, Scores } from '../core/types.ts';
import { dropCount } from '../prune/drop-count.ts';

/** Drop ratio for every group, or per group id (groups not named keep all channels). */
export type DropRatios = number | Record<string, number>;

/** Check a drop ratio is in [0, 1). */
function checkRatio(ratio: unknown, where: string): number {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 0 || ratio >= 1) {
    fail('INVALID_ARGUMENT', { expected: 'a drop ratio in [0, 1)', found: describeValue(ratio), where, hint: 'a ratio of 0.3 drops 30% of a group\'s channels' });
  }
  return ratio;
}

/** Indices of the `count` lowest scores (ties: lower index first), sorted ascending. */
export function lowestIndices(scores: readonly number[], count: number): number[] {
  const order = scores.map((s, i) => ({ s, i })).sort((a, b) => a.s - b.s || a.i - b.i);
  return order.slice(0, count).map((x) => x.i).sort((a, b) => a - b);
}

/**
 * Build a plan from scores and drop ratios: each unlocked group drops its lowest-scored channels.
 * Per-group ratios must name unlocked groups of the model.
 */
export function planFromRatios(groups: readonly ChannelGroup[], scores: Scores, ratios: DropRatios, round = 1): PrunePlan {
  const byId = new Map(scores.groups.map((g) => [g.id, g.scores]));
  if (typeof ratios === 'number') checkRatio(ratios, '--ratio');
  else {
    if (typeof ratios !== 'object' || ratios === null || Array.isArray(ratios)) {
      fail('INVALID_ARGUMENT', { expected: 'a JSON object {groupId: ratio}', found: describeValue(ratios, 80), where: '--ratios', hint: 'list group ids with `edge-prune analyze`' });
    }
    for (const [id, r] of Object.entries(ratios)) {
      checkRatio(r, `--ratios "${id}"`);
      const group = groups.find((g) => g.id === id);
      if (!group || group.locked) {
        fail('INVALID_PLAN', { expected: 'ids of unlocked groups', found: `"${id}"${group ? ' (locked)' : ' (unknown)'}`, where: '--ratios', hint: 'list group ids and locks with `edge-prune analyze`' });
      }
    }
  }
  const entries = groups
    .filter((g) => !g.locked)
    .map((g) => {
      const ratio = typeof ratios === 'number' ? ratios : (ratios[g.id] ?? 0);
      const s = byId.get(g.id) ?? new Array<number>(g.size).fill(0);
      return { id: g.id, size: g.size, drop: lowestIndices(s, dropCount(g.size, ratio, round)) };
    });
  return { version: 1, criterion: scores.criterion, groups: entries };
}
