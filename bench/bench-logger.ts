// The benchmarks' terminal logger: timestamped lines, progress at most once per interval.
import type { Logger } from '../src/core/logger.ts';

/** HH:MM:SS of now (UTC). */
const stamp = (): string => new Date().toISOString().slice(11, 19);

/**
 * A logger printing timestamped info and warning lines, and progress events at most every
 * `intervalMs`, each followed by `suffix()` when it returns text (e.g. the whole run's position).
 */
export function benchLogger(intervalMs: number, suffix: () => string = () => ''): Logger {
  let last = 0;
  return {
    info: (m) => console.log(`${stamp()} ${m}`),
    warn: (m) => console.log(`${stamp()} warning: ${m}`),
    progress: (e) => {
      if (Date.now() - last < intervalMs) return;
      last = Date.now();
      const extra = suffix();
      console.log(`${stamp()}   ${e.task} ${e.done}/${e.total} ${e.detail ?? ''}${extra ? ` · ${extra}` : ''}`);
    },
  };
}
