// The pruning schedule flag: `oneshot` or `iterative[:steps]`.
import { fail } from '../core/errors.ts';

/** `oneshot`, or `iterative` with its number of pruning steps (default 3). */
export type Schedule = { kind: 'oneshot' } | { kind: 'iterative'; steps: number };

/** Parse `oneshot | iterative[:steps]` (steps 2..10); INVALID_ARGUMENT otherwise. */
export function parseSchedule(text: string): Schedule {
  if (text === 'oneshot') return { kind: 'oneshot' };
  const m = /^iterative(?::(\d+))?$/.exec(text);
  const steps = m ? Number(m[1] ?? 3) : Number.NaN;
  if (!m || !(steps >= 2 && steps <= 10)) fail('INVALID_ARGUMENT', { expected: 'oneshot or iterative[:steps] with 2 to 10 steps', found: JSON.stringify(text), where: '--schedule', hint: 'e.g. --schedule iterative:3' });
  return { kind: 'iterative', steps };
}
