// The names `--backend` accepts, kept apart from backend.ts so the CLI can list them without loading tfjs.

/** Values `--backend` accepts. */
export const BACKEND_NAMES = ['auto', 'tfjs-node', 'wasm', 'cpu'] as const;

/** `--backend` values fine-tuning accepts: BACKEND_NAMES plus `tensorflow` (tfjs-node's tfjs name). */
export const TRAINING_BACKEND_NAMES = [...BACKEND_NAMES, 'tensorflow'] as const;
