// The names of runtimes and measurement methods, without zod, so the CLI can list them at start-up.

/** Runtimes a model can be deployed on; each profile gives latency coefficients per runtime. */
export const RUNTIMES = ['tfjs-wasm', 'tfjs-webgl', 'onnxruntime-web', 'onnxruntime-mobile', 'onnxruntime-node'] as const;
/** A runtime name. */
export type RuntimeName = (typeof RUNTIMES)[number];
/** Runtimes that run on the host itself, so `edge-prune calibrate` can measure them. */
export const HOST_RUNTIMES = ['tfjs-wasm', 'onnxruntime-node'] as const;

/** How a latency can be measured: on this host, emulated in Chromium, or on a device. */
export const METHODS = ['local', 'emulated', 'device'] as const;
