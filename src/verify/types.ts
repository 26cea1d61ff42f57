// Types of the verify stage: how to measure, the Measurement record, and what a page or a runtime reports back.
import type { Logger } from '../core/logger.ts';
import type { RuntimeName } from '../core/schemas.ts';
import type { Graph } from '../core/types.ts';
import type { LoadedTarget } from '../targets/load-targets.ts';

/** How a latency figure is obtained (DESIGN.md §9). */
export type VerifyMethod = 'local' | 'emulated' | 'device';

/** The bundle format a measurement ran (names as in the export manifest). */
export type BundleFormat = 'tfjs' | 'tfjs-graph' | 'onnx';

/** Raw timings of one measurement (defined with the engine timers in src/runtime/timing.ts). */
export type { RawTiming } from '../runtime/timing.ts';

/** The device a measurement ran on (device method only). */
export interface DeviceInfo {
  /** How the device was reached: USB with adb, or a phone on the network opening the printed URL. */
  via: 'adb' | 'network';
  /** `ro.product.model` (adb), else null. */
  model: string | null;
  /** adb serial number, else null. */
  serial: string | null;
  /** The page's navigator.userAgent. */
  userAgent: string | null;
}

/** One labelled latency measurement: what `edge-prune verify --json` prints and measurements.json keeps. */
export interface Measurement {
  method: VerifyMethod;
  target: string;
  /** The profile the target names. */
  profile: string;
  /** Runtime actually measured. */
  runtime: RuntimeName;
  /** The target's runtime (what the device runs). */
  targetRuntime: RuntimeName;
  backend: string;
  runtimeVersion: string;
  threads: number;
  simd: boolean;
  warmup: number;
  runs: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
  firstRunMs: number;
  peakMemoryMb: number | null;
  peakMemorySource: string | null;
  budgetMs: number;
  pass: boolean;
  /** Plain words on how the figure was obtained, e.g. "emulated: headless Chromium, CPU throttled ×4.7, not the device". */
  label: string;
  device: DeviceInfo | null;
  /** Latency the profile's model predicts for the measured setting, or null when it cannot. */
  predictedMs: number | null;
  /** Profile and runtime of the prediction (host profile for local runs). */
  predictedBy: { profile: string; runtime: RuntimeName } | null;
  /** (measured median − predicted) / predicted × 100, or null. */
  predictedErrorPct: number | null;
  /** Emulated only: the Chromium CPU throttling rate applied. */
  throttlingRate: number | null;
  /** Emulated only: browser name and version. */
  browser: string | null;
  /** The file measured, relative to the export folder, and its format. */
  model: { format: BundleFormat; file: string; bytes: number };
  /** Every timed run in order (ms). */
  runsMs: number[];
  measuredAt: string;
  /** Emulated: every URL the page requested (all loopback, or the run fails); device: the server's request log; local: null. */
  requests: string[] | null;
}

/** Options of `verifyExport`. */
export interface VerifyOptions {
  /** The loaded target (profile + runtime + budgets + how to measure). */
  target: LoadedTarget;
  method: VerifyMethod;
  /** Timed runs (default: the target's measurement.runs). */
  runs?: number;
  /** Warm-up runs (default: the target's measurement.warmup). */
  warmup?: number;
  /** Override the target's latency budget (ms). */
  budgetMs?: number;
  /** Measure this format instead of the one the target's runtime loads first. */
  format?: BundleFormat;
  /** Measure the bundle of this entry file (e.g. `onnx-int8/model.onnx`, the int8 ONNX beside the float one). */
  entry?: string;
  /** Emulated: override the profile's CPU throttling rate. */
  throttlingRate?: number;
  /** Device: serve for a phone on the network (print a URL and QR code) instead of adb. */
  serve?: boolean;
  /** Device and --serve: listen address (default 127.0.0.1; anything else only when given). */
  host?: string;
  /** Listen port (default: a free port). */
  port?: number;
  /** adb serial when several devices are attached. */
  serial?: string;
  /** Milliseconds to wait for the page's result (default 120 s emulated, 600 s device). */
  timeoutMs?: number;
  /** Write the run into `<export-dir>/measurements.json` (default true). */
  record?: boolean;
  /** Graph of the exported model for the prediction (else read from the export's tfjs bundle). */
  graph?: Graph;
  /** Where the host profile lives, for local predictions (default: the package's profiles/). */
  configRoot?: string;
  logger?: Logger;
  /** Called with the page URLs once the server listens (device method): the CLI prints them and a QR code. */
  onServing?: (urls: string[]) => void;
}
