// The verify stage: measure an exported bundle locally, emulated or on a device, label it, compare with the budget and the prediction.
import { fail } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { METHODS, type Profile, type RuntimeName, type Target } from '../core/schemas.ts';
import type { Graph } from '../core/types.ts';
import { buildGraph } from '../analyze/graph.ts';
import { readBundle } from '../bundle/read-bundle.ts';
import { predictLatency } from '../latency/latency-model.ts';
import { deployedGraph } from '../latency/deployed-graph.ts';
import { loadProfile } from '../targets/load-targets.ts';
import { resolveBudget } from '../targets/budget.ts';
import type { ExportResult } from '../export/types.ts';
import { findLayersEntry, readExportedBundle, type ExportedBundle } from './export-folder.ts';
import { labelMeasurement } from './label.ts';
import { appendMeasurement } from './measurements-file.ts';
import { summarizeRuns } from '../core/statistics.ts';
import type { DeviceInfo, Measurement, RawTiming, VerifyMethod, VerifyOptions } from './types.ts';

/** Default time to wait for a page result: emulated runs are quick, a phone needs a person. */
const DEFAULT_TIMEOUT_MS: Record<VerifyMethod, number> = { local: 0, emulated: 180_000, device: 300_000 };
const MAX_RUNS = 10_000;

/** A whole number in [min, max], or INVALID_ARGUMENT naming the option. */
function checkCount(value: number, name: string, min: number): number {
  if (!Number.isInteger(value) || value < min || value > MAX_RUNS) {
    fail('INVALID_ARGUMENT', { expected: `an integer from ${min} to ${MAX_RUNS}`, found: String(value), where: name, hint: `e.g. ${name} 20` });
  }
  return value;
}

/** What one method measured. */
interface MethodRun {
  timing: RawTiming;
  rate: number | null;
  browser: string | null;
  device: DeviceInfo | null;
  requests: string[] | null;
}

/** Run the chosen method. */
async function runMethod(bundle: ExportedBundle, target: Target, profile: Profile, options: VerifyOptions, warmup: number, runs: number): Promise<MethodRun> {
  const threads = target.backend.threads;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS[options.method];
  if (options.method === 'local') {
    const { measureLocal } = await import('./local.ts');
    return { timing: await measureLocal(bundle, { warmup, runs, threads }), rate: null, browser: null, device: null, requests: null };
  }
  if (options.method === 'emulated') {
    const rate = options.throttlingRate ?? profile.emulation.cpuThrottlingRate.value;
    if (!Number.isFinite(rate) || rate < 1 || rate > 100) fail('INVALID_ARGUMENT', { expected: 'a throttling rate from 1 to 100', found: String(rate), where: '--throttling-rate', hint: 'e.g. --throttling-rate 4' });
    const { measureEmulated } = await import('./emulated.ts');
    const run = await measureEmulated(bundle, { runtime: target.runtime, threads, warmup, runs, rate, timeoutMs });
    return { timing: run.timing, rate, browser: run.browser, device: null, requests: run.requests };
  }
  const { measureOnDevice } = await import('./device.ts');
  const settings: Parameters<typeof measureOnDevice>[1] = { runtime: target.runtime, threads, warmup, runs, timeoutMs, serve: options.serve === true };
  if (options.host !== undefined) settings.host = options.host;
  if (options.port !== undefined) settings.port = options.port;
  if (options.serial !== undefined) settings.serial = options.serial;
  if (options.onServing) settings.onServing = options.onServing;
  const run = await measureOnDevice(bundle, settings);
  return { timing: run.timing, rate: null, browser: null, device: run.device, requests: run.requests };
}

/** The graph to predict from: the caller's, else the export's TF.js Layers model, else none. */
async function readGraph(exportDir: string, given: Graph | undefined): Promise<Graph | null> {
  if (given) return given;
  const entry = await findLayersEntry(exportDir);
  return entry ? buildGraph(await readBundle(entry)) : null;
}

/** The profile's prediction for the measured setting (of the graph the measured bundle runs): the host profile for local runs, the target's otherwise. */
function predict(graph: Graph | null, method: VerifyMethod, runtime: RuntimeName, profile: Profile, target: Target, root: string | undefined): { ms: number; by: { profile: string; runtime: RuntimeName } } | null {
  if (!graph) return null;
  const [p, r] = method === 'local' ? [loadProfile('host', root ? { root } : {}), runtime] : [profile, target.runtime];
  if (!p.runtimes[r]) return null;
  return { ms: predictLatency(graph, p, r).totalMs, by: { profile: p.name, runtime: r } };
}

/**
 * Measure an exported bundle (the `ExportResult` of the export stage, or an `edge-prune export` folder) on the target's runtime by `method`:
 * `local` (tfjs wasm in Node or onnxruntime-node on this host), `emulated` (the target's runtime in
 * headless Chromium with the profile's CPU throttling) or `device` (a phone over adb, or a printed
 * URL with --serve). Protocol: one cold run, `warmup` untimed runs, `runs` timed runs. The record
 * says how it was obtained, compares the median with the latency budget, shows the profile's
 * prediction beside it, and is appended to `<exportDir>/measurements.json` for `calibrate`.
 */
export async function verifyExport(exported: string | ExportResult, options: VerifyOptions): Promise<Measurement> {
  const exportDir = typeof exported === 'string' ? exported : exported.outDir;
  const logger = options.logger ?? silentLogger;
  if (!(METHODS as readonly string[]).includes(options.method)) {
    fail('INVALID_ARGUMENT', { expected: METHODS.join(' | '), found: String(options.method), where: '--method', hint: 'e.g. --method emulated' });
  }
  const root = options.configRoot;
  const { target, profile } = options.target;
  const warmup = checkCount(options.warmup ?? target.measurement.warmup, '--warmup', 0);
  const runs = checkCount(options.runs ?? target.measurement.runs, '--runs', 1);
  const budgetMs = resolveBudget(target.budget, { ...(options.budgetMs !== undefined ? { latencyMs: options.budgetMs } : {}) }).latencyMs;
  if (!Number.isFinite(budgetMs) || budgetMs <= 0) fail('INVALID_ARGUMENT', { expected: 'a positive latency budget in ms', found: String(budgetMs), where: '--latency-ms', hint: 'e.g. --latency-ms 16' });
  const bundle = await readExportedBundle(exportDir, target, { ...(options.format ? { format: options.format } : {}), ...(options.entry !== undefined ? { entry: options.entry } : {}), anyFormat: options.method === 'local' });
  logger.info(`verify ${options.method}: ${bundle.entry} (${bundle.format}) for target ${target.name}, ${warmup} warm-up + ${runs} timed runs`);
  const run = await runMethod(bundle, target, profile, options, warmup, runs);
  const summary = summarizeRuns(run.timing.runsMs);
  let prediction: ReturnType<typeof predict> = null;
  try {
    const graph = await readGraph(exportDir, options.graph);
    prediction = predict(graph && bundle.format === 'tfjs-graph' ? deployedGraph(graph) : graph, options.method, run.timing.runtime, profile, target, root);
  } catch (error) {
    logger.warn(`no latency prediction: ${(error as Error).message}`);
  }
  const measurement: Measurement = {
    method: options.method,
    target: target.name,
    profile: profile.name,
    runtime: run.timing.runtime,
    targetRuntime: target.runtime,
    backend: run.timing.backend,
    runtimeVersion: run.timing.runtimeVersion,
    threads: run.timing.threads,
    simd: run.timing.simd,
    warmup,
    runs: run.timing.runsMs.length,
    ...summary,
    firstRunMs: run.timing.firstRunMs,
    peakMemoryMb: run.timing.peakMemoryBytes === null ? null : run.timing.peakMemoryBytes / 2 ** 20,
    peakMemorySource: run.timing.peakMemorySource,
    budgetMs,
    pass: summary.medianMs <= budgetMs,
    label: labelMeasurement({ method: options.method, target, profile, timing: run.timing, rate: run.rate, rateOverridden: options.throttlingRate !== undefined, browser: run.browser, device: run.device }),
    device: run.device,
    predictedMs: prediction?.ms ?? null,
    predictedBy: prediction?.by ?? null,
    predictedErrorPct: prediction ? ((summary.medianMs - prediction.ms) / prediction.ms) * 100 : null,
    throttlingRate: run.rate,
    browser: run.browser,
    model: { format: bundle.format, file: bundle.entry, bytes: bundle.bytes },
    runsMs: run.timing.runsMs,
    measuredAt: new Date().toISOString(),
    requests: run.requests,
  };
  if (options.record !== false) {
    try {
      logger.info(`recorded in ${await appendMeasurement(bundle.root, measurement)}`);
    } catch (error) {
      logger.warn(`measurement not recorded: ${(error as Error).message}`);
    }
  }
  return measurement;
}
