// Runtime names as plain constants (no zod), so the CLI can list them in `--help` without loading the schemas.

/** Runtimes a model can be deployed on; each profile gives latency coefficients per runtime. */
export const RUNTIMES = ['tfjs-wasm', 'tfjs-webgl', 'onnxruntime-web', 'onnxruntime-mobile', 'onnxruntime-node'] as const;
/** A runtime name. */
export type RuntimeName = (typeof RUNTIMES)[number];
/** Runtimes that run on the host itself, so `edge-prune calibrate` can measure them. */
export const HOST_RUNTIMES = ['tfjs-wasm', 'onnxruntime-node'] as const;
