// Calibrates a profile's Chromium CPU throttling rate: the rate at which a reference model's emulated latency matches the device's.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGraph } from '../analyze/graph.ts';
import { writeJsonAtomic } from '../core/atomic-write.ts';
import { EdgePruneError, fail } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { ProfileSchema, parseConfig, type Profile, type RuntimeName } from '../core/schemas.ts';
import { writeBundle } from '../bundle/write-bundle.ts';
import { REFERENCE_PROBE, calibrationProbes } from '../latency/calibration/calibration-probes.ts';
import { loadTarget, profilePath } from '../targets/load-targets.ts';
import { openBenchPage } from './emulated.ts';
import type { ExportedBundle } from './export-folder.ts';
import { assertLoopbackOnly } from './page-result.ts';
import { summarizeRuns } from '../core/statistics.ts';
import type { RawTiming } from './types.ts';

/** One measured point of the search. */
export interface EmulationPoint {
  rate: number;
  /** Median of the batch of timed runs at this rate. */
  medianMs: number;
}

/** What a calibration found. */
export interface EmulationCalibration {
  target: string;
  profile: string;
  runtime: RuntimeName;
  browser: string;
  runtimeVersion: string;
  /** The device figure the rate is fitted to (the profile's emulation reference, unless overridden). */
  referenceMs: number;
  referenceModel: string;
  /** 1-minute load average before and after: above the core count, timings are inflated. */
  hostLoad: [number, number];
  /** Figure at rate 1 (no throttling). */
  unthrottledMs: number;
  /** The chosen rate and its emulated median (measured, or the fit's value when `fromFit`). */
  rate: number;
  /** True when no batch landed within the tolerance and the rate solves the fit over all points. */
  fromFit: boolean;
  emulatedMs: number;
  errorPct: number;
  previousRate: number;
  points: EmulationPoint[];
  /** The profile file written, or null. */
  written: string | null;
}

/** Options of a calibration. */
export interface CalibrateEmulationOptions {
  configRoot?: string;
  /** Write the rate into the profile (default true). */
  write?: boolean;
  warmup?: number;
  runs?: number;
  /** Fit to this latency instead of the profile's reference (tests, or a figure measured on the device). */
  referenceMs?: number;
  /** Run this bundle instead of building the profile's reference model. */
  referenceBundle?: ExportedBundle;
  /** Stop when within this relative error (default 0.05). */
  tolerance?: number;
  maxRate?: number;
  maxSteps?: number;
  timeoutMs?: number;
  logger?: Logger;
}

/** Build the reference model (the host's MobileNetV2 224 graph-like probe) as a TF.js bundle in a temporary folder. */
async function buildReferenceBundle(): Promise<{ bundle: ExportedBundle; cleanup: () => Promise<void> }> {
  const probe = calibrationProbes().find((p) => p.id === REFERENCE_PROBE);
  if (!probe) fail('INTERNAL', { expected: `the ${REFERENCE_PROBE} probe`, found: 'none', where: 'calibration probes', hint: 'report this bug' });
  const { initializeBundle } = await import('../runtime/layers-model.ts');
  const model = await initializeBundle(probe.topology);
  const input = buildGraph(model).nodes.find((n) => n.className === 'InputLayer');
  const root = await mkdtemp(join(tmpdir(), 'edge-prune-reference-'));
  await writeBundle(model, root);
  const files = await Promise.all((await readdir(root)).map(async (name) => ({ path: name, absolute: join(root, name), bytes: (await stat(join(root, name))).size })));
  const bundle: ExportedBundle = { root, format: 'tfjs', entry: 'model.json', files, inputShape: input?.outputShape ?? [224, 224, 3], layout: null, bytes: files.reduce((n, f) => n + f.bytes, 0) };
  return { bundle, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Least-squares fit of log(ms) = a + b·log(rate) over the points; null with fewer than two distinct rates. */
export function fitPowerLaw(points: readonly EmulationPoint[]): { a: number; b: number } | null {
  const xs = points.map((p) => Math.log(p.rate));
  const ys = points.map((p) => Math.log(p.medianMs));
  const n = points.length;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  const sxx = xs.reduce((s, v) => s + (v - mx) ** 2, 0);
  if (n < 2 || sxx < 1e-9) return null;
  const b = xs.reduce((s, v, i) => s + (v - mx) * ((ys[i] as number) - my), 0) / sxx;
  return { a: my - b * mx, b };
}

/**
 * Next rate to try. Until a point reaches the reference, step up geometrically (by the ratio still
 * missing, 1.25× to 8×); then solve the log-log fit of all points for the reference. A fit over
 * every point is robust to one noisy batch, which chasing the last two points is not.
 */
export function nextRate(points: readonly EmulationPoint[], ref: number, maxRate: number): number {
  const top = points.reduce((a, b) => (b.rate > a.rate ? b : a));
  const fit = fitPowerLaw(points);
  if (!points.some((p) => p.medianMs >= ref) || !fit || fit.b < 0.05) {
    return Math.min(maxRate, top.rate * Math.max(1.25, Math.min(8, ref / top.medianMs)));
  }
  return Math.min(maxRate, Math.max(1, Math.exp((Math.log(ref) - fit.a) / fit.b)));
}

/** Write the calibrated rate into the profile's emulation block (validated by the profile schema). */
async function writeRate(profile: Profile, c: EmulationCalibration, root: string | undefined): Promise<string> {
  const path = profilePath(profile.name, root ? { root } : {});
  const points = c.points.map((p) => `×${p.rate.toFixed(2)} → ${p.medianMs.toFixed(1)} ms`).join(', ');
  const source =
    `measured here: edge-prune verify --calibrate-emulation on ${new Date().toISOString().slice(0, 10)}, headless ${c.browser}, ${c.runtimeVersion}; ` +
    `${c.referenceModel} ran ${c.unthrottledMs.toFixed(1)} ms unthrottled and ${c.emulatedMs.toFixed(1)} ms at ×${c.rate.toFixed(2)}${c.fromFit ? ' (log-log fit over the points)' : ''} ` +
    `against the reference ${c.referenceMs} ms (${profile.emulation.reference.basis}; see reference.source); median of each batch of runs, host load ${c.hostLoad[0].toFixed(1)}; points: ${points}`;
  const updated = { ...profile, emulation: { ...profile.emulation, cpuThrottlingRate: { value: Number(c.rate.toFixed(2)), basis: 'measured' as const, source }, calibrated: true } };
  await writeJsonAtomic(path, parseConfig(ProfileSchema, updated, path));
  return path;
}

/**
 * Find the CPU throttling rate at which the profile's reference model, run in headless Chromium on
 * the profile's emulation runtime, matches the reference latency (throttling is not linear, so the
 * rate is searched: a log-log fit over every measured point, solved for the reference). Records it in the profile.
 */
export async function calibrateEmulation(targetName: string, options: CalibrateEmulationOptions = {}): Promise<EmulationCalibration> {
  const logger = options.logger ?? silentLogger;
  const root = options.configRoot;
  const { target, profile } = loadTarget(targetName, root ? { root } : {});
  const runtime = profile.emulation.runtime;
  if (!runtime.startsWith('tfjs')) {
    fail('INVALID_CONFIG', { expected: 'an emulation runtime of tfjs-wasm or tfjs-webgl', found: runtime, where: `profiles/${profile.name}.json: field emulation.runtime`, hint: 'calibrate the rate on tfjs-wasm; it applies to the CPU, whichever runtime measures' });
  }
  const referenceMs = options.referenceMs ?? profile.emulation.reference.latencyMs;
  const { warmup = 3, runs = 20, tolerance = 0.05, maxRate = 32, maxSteps = 6, timeoutMs = 180_000 } = options;
  const loadBefore = loadavg()[0] ?? 0;
  const built = options.referenceBundle ? undefined : await buildReferenceBundle();
  const bundle = options.referenceBundle ?? (built as { bundle: ExportedBundle }).bundle;
  const threads = profile.runtimes[runtime]?.threads ?? 1;
  try {
    const open = await openBenchPage(bundle, { runtime, threads, warmup, runs, rate: 1, timeoutMs }, false);
    try {
      const page = open.session.page;
      await page.waitForFunction(() => (window as unknown as { edgePruneReady?: boolean; edgePruneError?: string }).edgePruneReady === true || typeof (window as unknown as { edgePruneError?: string }).edgePruneError === 'string', null, { timeout: timeoutMs });
      const pageError = await page.evaluate(() => (window as unknown as { edgePruneError?: string }).edgePruneError ?? null);
      if (pageError) fail('BACKEND_UNAVAILABLE', { expected: 'the reference model to load in Chromium', found: pageError, where: open.session.version, hint: 'rerun with --debug' });
      let timing: RawTiming | undefined;
      const measureAt = async (rate: number): Promise<EmulationPoint> => {
        await open.session.setThrottling(rate);
        timing = await page.evaluate(([w, n]) => (window as unknown as { edgePruneBench: { measure(w: number, n: number): Promise<RawTiming> } }).edgePruneBench.measure(w, n), [warmup, runs] as const);
        const point = { rate, medianMs: summarizeRuns(timing.runsMs).medianMs };
        logger.info(`throttling ×${rate.toFixed(2)}: median ${point.medianMs.toFixed(2)} ms (reference ${referenceMs} ms)`);
        return point;
      };
      const points = [await measureAt(1)];
      const unthrottledMs = (points[0] as EmulationPoint).medianMs;
      const close = (p: EmulationPoint): boolean => Math.abs(p.medianMs / referenceMs - 1) <= tolerance;
      let last = points[0] as EmulationPoint;
      for (let step = 0; step < maxSteps && unthrottledMs < referenceMs && !(last.rate > 1 && close(last)); step++) {
        const rate = Number(nextRate(points, referenceMs, maxRate).toFixed(3));
        if (points.some((p) => Math.abs(rate - p.rate) < 0.005 * p.rate)) break;
        last = await measureAt(rate);
        points.push(last);
        if (rate >= maxRate && last.medianMs < referenceMs) break;
      }
      assertLoopbackOnly(open.session.requests, [], 'emulation calibration page');
      // The last point is the fit's answer, measured; when the batches were too noisy to land within
      // the tolerance, take the fit over every point (bracketing the reference), else the closest point.
      const closest = points.reduce((a, b) => (Math.abs(Math.log(b.medianMs / referenceMs)) < Math.abs(Math.log(a.medianMs / referenceMs)) ? b : a));
      const fit = fitPowerLaw(points);
      const bracketed = points.some((p) => p.medianMs < referenceMs) && points.some((p) => p.medianMs >= referenceMs);
      const useFit = !close(last) && bracketed && fit !== null && fit.b > 0.05;
      const fitRate = useFit ? Math.min(maxRate, Math.max(1, Math.exp((Math.log(referenceMs) - fit.a) / fit.b))) : 0;
      const best = close(last) ? last : useFit ? { rate: fitRate, medianMs: Math.exp(fit.a + fit.b * Math.log(fitRate)) } : closest;
      const result: EmulationCalibration = {
        target: target.name,
        profile: profile.name,
        runtime,
        browser: open.session.version,
        runtimeVersion: timing?.runtimeVersion ?? 'unknown',
        referenceMs,
        referenceModel: options.referenceBundle ? bundle.entry : `${REFERENCE_PROBE} (MobileNetV2 1.0 224, BN folded, fused activations)`,
        hostLoad: [loadBefore, loadavg()[0] ?? 0],
        unthrottledMs,
        rate: best.rate,
        fromFit: useFit,
        emulatedMs: best.medianMs,
        errorPct: (best.medianMs / referenceMs - 1) * 100,
        previousRate: profile.emulation.cpuThrottlingRate.value,
        points,
        written: null,
      };
      if (options.write !== false) result.written = await writeRate(profile, result, root);
      return result;
    } finally {
      await open.close();
    }
  } catch (error) {
    if (error instanceof EdgePruneError) throw error;
    throw new EdgePruneError('BACKEND_UNAVAILABLE', { expected: 'the calibration page to run', found: (error as Error).message.split('\n')[0] ?? 'an error', where: 'headless Chromium', hint: 'rerun with --debug' }, { cause: error });
  } finally {
    await built?.cleanup();
  }
}
