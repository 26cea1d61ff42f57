// Scores every unlocked channel group of a model with a named criterion.
import { fail } from '../core/errors.ts';
import type { Scores } from '../core/types.ts';
import { bnScale, fpgm, l1, l2, random } from './baselines.ts';
import { indexWeights, type Criterion, type ScoreContext } from './criterion.ts';
import { fscl } from './fscl.ts';

/** Every criterion by name; `fscl` is the default. */
export const CRITERIA: Readonly<Record<string, Criterion>> = {
  fscl,
  l1,
  l2,
  fpgm,
  'bn-scale': bnScale,
  random,
};

/** The criterion of a name, or an INVALID_ARGUMENT error listing the names. */
export function requireCriterion(name: string): Criterion {
  const c = Object.prototype.hasOwnProperty.call(CRITERIA, name) ? CRITERIA[name] : undefined;
  if (!c) {
    fail('INVALID_ARGUMENT', {
      expected: `a criterion: ${Object.keys(CRITERIA).join(', ')}`,
      found: `"${name}"`,
      where: '--criterion',
      hint: 'fscl is the default; the others are baselines for comparison',
    });
  }
  return c;
}

/** Score every unlocked group; higher scores are kept, the lowest are dropped first. */
export function scoreModel(criterionName: string, context: ScoreContext): Scores {
  const criterion = requireCriterion(criterionName);
  const weights = indexWeights(context.bundle);
  const groups = context.groups
    .filter((g) => !g.locked)
    .map((g) => ({ id: g.id, scores: Array.from(criterion.scoreGroup(g, context, weights)) }));
  return { criterion: criterion.name, groups };
}
