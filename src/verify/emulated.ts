// The emulated method: the bundle on the target's runtime in headless Chromium, CPU throttled as the profile says.
import { EdgePruneError } from '../core/errors.ts';
import type { RuntimeName } from '../core/schemas.ts';
import { openChromium, type BrowserSession } from './browser.ts';
import type { ExportedBundle } from './export-folder.ts';
import { buildPageAssets, createRunToken, pagePathOf } from './page-assets.ts';
import { assertLoopbackOnly, parsePageResult, waitWithDeadline } from './page-result.ts';
import { startBenchServer, type BenchServer } from './server.ts';
import type { RawTiming } from './types.ts';

/**
 * Emulated runs time back-to-back inferences over windows of at least this many ms and report the
 * mean per inference: Chromium's CPU throttling suspends the page in time slices, so one short
 * inference reads either unthrottled or a whole slice late, and its median says little.
 */
export const EMULATION_WINDOW_MS = 100;

/** How to run the page. */
export interface EmulatedSettings {
  /** The target's runtime (onnxruntime-* run as onnxruntime-web). */
  runtime: RuntimeName;
  threads: number;
  warmup: number;
  runs: number;
  /** Chromium CPU throttling rate (1 = none). */
  rate: number;
  timeoutMs: number;
}

/** What an emulated run returns. */
export interface EmulatedRun {
  timing: RawTiming;
  browser: string;
  requests: string[];
  crossOriginIsolated: boolean;
}

/** A page served and opened in Chromium, ready to be driven. */
export interface OpenBenchPage {
  session: BrowserSession;
  server: BenchServer;
  close(): Promise<void>;
}

/** Page failures (uncaught errors, a crash) as a rejecting promise, for racing with the result. */
function watchPage(session: BrowserSession): Promise<never> {
  return new Promise<never>((_, reject) => {
    session.page.on('crash', () => reject(new EdgePruneError('BACKEND_UNAVAILABLE', { expected: 'the benchmark page to run', found: 'the page crashed (out of memory?)', where: session.version, hint: 'try a smaller model or fewer runs' })));
  });
}

/**
 * Serve the bundle on 127.0.0.1 and open the page in Chromium with the throttling rate applied
 * before navigation. With `autorun` the page measures and posts at once.
 */
export async function openBenchPage(bundle: ExportedBundle, settings: EmulatedSettings, autorun: boolean): Promise<OpenBenchPage> {
  const token = createRunToken();
  const assets = buildPageAssets(token, bundle, { ...settings, autorun, windowMs: EMULATION_WINDOW_MS });
  const server = await startBenchServer({ host: '127.0.0.1', token, assets });
  let session: BrowserSession;
  try {
    session = await openChromium({ webgl: settings.runtime === 'tfjs-webgl' });
  } catch (error) {
    await server.close();
    throw error;
  }
  const close = async (): Promise<void> => {
    await session.close();
    await server.close();
  };
  try {
    await session.setThrottling(settings.rate);
    await session.page.goto(`${server.origin}${pagePathOf(token)}`, { waitUntil: 'load', timeout: settings.timeoutMs });
  } catch (error) {
    await close();
    throw new EdgePruneError('BACKEND_UNAVAILABLE', { expected: 'the benchmark page to open', found: (error as Error).message.split('\n')[0] ?? 'an error', where: session.version, hint: 'rerun with --debug' }, { cause: error });
  }
  return { session, server, close };
}

/** Text describing a page that gave no result in time. */
function describeTimeout(open: OpenBenchPage, ms: number): EdgePruneError {
  const errors = open.session.errors.slice(-3).join(' | ') || 'no page errors';
  return new EdgePruneError('BACKEND_UNAVAILABLE', {
    expected: `a result from the benchmark page within ${Math.round(ms / 1000)} s`,
    found: `none (${errors})`,
    where: open.session.version,
    hint: 'raise --timeout, lower --runs, or check the page errors with --debug',
  });
}

/**
 * Measure a bundle in headless Chromium: tfjs wasm/webgl or onnxruntime-web as the target says,
 * CPU throttled by `rate`; the result comes back by the token-checked POST. Fails when the page
 * requested any non-loopback URL.
 */
export async function measureEmulated(bundle: ExportedBundle, settings: EmulatedSettings): Promise<EmulatedRun> {
  const open = await openBenchPage(bundle, settings, true);
  try {
    const body = await waitWithDeadline(open.server.result, settings.timeoutMs, () => describeTimeout(open, settings.timeoutMs), [watchPage(open.session)]);
    const result = parsePageResult(body, 'emulated benchmark page');
    assertLoopbackOnly(open.session.requests, result.violations);
    return { timing: result.timing, browser: open.session.version, requests: [...open.session.requests], crossOriginIsolated: result.crossOriginIsolated };
  } finally {
    await open.close();
  }
}
