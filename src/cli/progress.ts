// Terminal logger: stage lines, and one redrawn progress bar with ETA for long tasks (stderr only).
import type { Logger, ProgressEvent } from '../core/logger.ts';
import { formatDuration } from '../finetune/progress.ts';

/** Seconds between progress lines when stderr is not a terminal (a log file, CI). */
const LOG_INTERVAL_MS = 5000;
/** Milliseconds between redraws of the bar on a terminal. */
const REDRAW_INTERVAL_MS = 100;

/**
 * Render a progress line: task, bar, counts, ETA and detail. The bar's own ETA (from the task's
 * elapsed time) is left out when the detail already carries one (fine-tuning reports the whole run's).
 */
export function renderProgressLine(event: ProgressEvent, elapsedSeconds: number): string {
  const width = 24;
  const fraction = event.total > 0 ? Math.min(1, Math.max(0, event.done / event.total)) : 0;
  const filled = Math.round(fraction * width);
  const bar = `${event.task} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${event.done}/${event.total}`;
  if (event.detail && /\bETA\b/.test(event.detail)) return `${bar}  ${event.detail}`;
  const eta = fraction > 0 && fraction < 1 ? (elapsedSeconds * (1 - fraction)) / fraction : fraction >= 1 ? 0 : NaN;
  const etaText = Number.isFinite(eta) ? `ETA ${formatDuration(eta)}` : 'ETA —';
  return `${bar} ${etaText}${event.detail ? `  ${event.detail}` : ''}`;
}

/**
 * The one logger of every CLI command (the main command, plan, verify, finetune, eval). Messages go
 * to stderr so `--json` output on stdout stays clean; the bar is redrawn in place on a terminal and
 * printed at most every few seconds otherwise. `quiet` (used with `--json`) drops info lines and the
 * non-terminal progress lines; warnings always show.
 */
export function createCliLogger(quiet = false): Logger {
  const tty = process.stderr.isTTY === true;
  const tasks = new Map<string, { start: number; done: number }>();
  let lastPrint = 0;
  let lastDraw = 0;
  let barShown = false;
  const clearBar = (): void => {
    if (tty && barShown) process.stderr.write('\r\x1b[2K');
    barShown = false;
  };
  return {
    info(message) {
      if (quiet) return;
      clearBar();
      process.stderr.write(`${message}\n`);
    },
    warn(message) {
      clearBar();
      process.stderr.write(`warning: ${message}\n`);
    },
    progress(event) {
      const now = Date.now();
      let task = tasks.get(event.task);
      // A task label that starts counting again (e.g. a second evaluation) gets a fresh clock.
      if (!task || event.done < task.done) tasks.set(event.task, (task = { start: now, done: event.done }));
      task.done = event.done;
      const finished = event.done >= event.total;
      const line = renderProgressLine(event, (now - task.start) / 1000);
      if (tty) {
        if (!finished && barShown && now - lastDraw < REDRAW_INTERVAL_MS) return;
        lastDraw = now;
        process.stderr.write(`\r\x1b[2K${line}`);
        barShown = true;
        if (finished) {
          process.stderr.write('\n');
          barShown = false;
        }
      } else if (!quiet && (now - lastPrint > LOG_INTERVAL_MS || finished)) {
        process.stderr.write(`${line}\n`);
        lastPrint = now;
      }
    },
  };
}
