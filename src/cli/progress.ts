// Terminal logger: stage lines, and one redrawn progress bar with ETA for long tasks (stderr only).
import type { Logger, ProgressEvent } from '../core/logger.ts';

/** Render a progress line: task, bar, counts, ETA and detail. */
function renderBar(event: ProgressEvent, startedAt: number): string {
  const width = 24;
  const fraction = event.total > 0 ? Math.min(1, event.done / event.total) : 0;
  const filled = Math.round(fraction * width);
  const elapsed = (Date.now() - startedAt) / 1000;
  const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : NaN;
  const etaText = Number.isFinite(eta) ? `ETA ${eta < 90 ? `${eta.toFixed(0)}s` : `${(eta / 60).toFixed(1)}m`}` : 'ETA —';
  return `${event.task} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${event.done}/${event.total} ${etaText}${event.detail ? `  ${event.detail}` : ''}`;
}

/**
 * A logger for the CLI. Messages go to stderr so `--json` output on stdout stays clean; the bar is
 * redrawn in place on a terminal and printed at most every few seconds otherwise. `quiet` drops info lines.
 */
export function createCliLogger(quiet = false): Logger {
  const tty = process.stderr.isTTY === true;
  const started = new Map<string, number>();
  let lastPrint = 0;
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
      if (!started.has(event.task)) started.set(event.task, Date.now());
      const line = renderBar(event, started.get(event.task) as number);
      const now = Date.now();
      if (tty) {
        process.stderr.write(`\r\x1b[2K${line}`);
        barShown = true;
        if (event.done >= event.total) {
          process.stderr.write('\n');
          barShown = false;
        }
      } else if (!quiet && (now - lastPrint > 5000 || event.done >= event.total)) {
        process.stderr.write(`${line}\n`);
        lastPrint = now;
      }
    },
  };
}
