// Progress reporting seam: library code reports through a Logger; only the CLI decides how to show it.

/** Progress of a long task, for progress bars. */
export interface ProgressEvent {
  /** Stable task label, e.g. `finetune epoch 2/5`. */
  task: string;
  done: number;
  total: number;
  /** Free-form figures to show beside the bar (loss, images/s, ...). */
  detail?: string;
}

/** Where library code sends messages and progress. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  progress(event: ProgressEvent): void;
}

/** A logger that drops everything (the default for library calls). */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  progress: () => undefined,
};
