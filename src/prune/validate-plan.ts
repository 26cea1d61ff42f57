// Checks a plan against a model's channel groups before anything is pruned.
import { describeValue, fail } from '../core/errors.ts';
import type { ChannelGroup, PrunePlan } from '../core/types.ts';

/** Throw INVALID_PLAN about one plan entry. */
function bad(where: string, expected: string, found: string, hint: string): never {
  fail('INVALID_PLAN', { expected, found, where, hint });
}

/**
 * Validate a plan: known, unlocked groups named once, matching sizes, strictly ascending in-range
 * drop indices, and at least one channel kept in every group. Returns the groups by id.
 */
export function validatePlan(groups: readonly ChannelGroup[], plan: unknown, where = 'plan'): Map<string, ChannelGroup> {
  const byId = new Map(groups.map((g) => [g.id, g]));
  if (typeof plan !== 'object' || plan === null) bad(where, 'a plan object', typeof plan, 'a plan is the JSON written by `edge-prune plan` or `prune`');
  const p = plan as Partial<PrunePlan>;
  if (p.version !== 1) bad(`${where}.version`, 'version 1', describeValue(p.version), 'regenerate the plan with this edge-prune');
  if (!Array.isArray(p.groups)) bad(`${where}.groups`, 'a list of groups', describeValue(p.groups), 'regenerate the plan');
  const seen = new Set<string>();
  p.groups.forEach((entry, k) => {
    const at = `${where}.groups[${k}]`;
    const id = (entry as { id?: unknown })?.id;
    if (typeof id !== 'string') bad(`${at}.id`, 'a group id', describeValue(id), 'group ids come from `edge-prune analyze`');
    const group = byId.get(id);
    if (!group) bad(`${at}.id`, 'a group of this model', `unknown group "${id}"`, 'the plan was made for another model; run `edge-prune analyze` to list group ids');
    if (seen.has(id)) bad(`${at}.id`, 'each group once', `"${id}" twice`, 'merge the entries');
    seen.add(id);
    if (entry.size !== group.size) bad(`${at}.size`, `${group.size} channels`, String(entry.size), 'the plan was made for another version of this model');
    const drop = entry.drop as unknown;
    if (!Array.isArray(drop)) bad(`${at}.drop`, 'a list of channel indices', describeValue(drop), 'fix the plan');
    if (drop.length > 0 && group.locked) bad(`${at}`, 'an unlocked group', `group "${id}" is locked (${group.lockReasons.join('; ')})`, 'locked channels cannot be pruned');
    drop.forEach((i, n) => {
      if (!Number.isInteger(i) || i < 0 || i >= group.size) bad(`${at}.drop[${n}]`, `an index in 0..${group.size - 1}`, describeValue(i), 'fix the plan');
      if (n > 0 && (i as number) <= (drop[n - 1] as number)) bad(`${at}.drop[${n}]`, 'strictly ascending indices', describeValue(drop.slice(n - 1, n + 1)), 'sort the indices and remove duplicates');
    });
    if (drop.length >= group.size) bad(`${at}.drop`, `fewer than ${group.size} channels dropped`, `${drop.length}`, 'every group must keep at least one channel');
  });
  return byId;
}
