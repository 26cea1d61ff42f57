// Debian's Chromium driven by playwright-core: a fresh profile, no network beyond loopback, every request recorded, CDP CPU throttling.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { EdgePruneError, fail } from '../core/errors.ts';

/** Where Debian installs Chromium; EDGE_PRUNE_CHROMIUM overrides it. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Chromium flags: headless, no sandbox (root in containers), no GPU, and nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--metrics-recording-only',
  // Any host name other than loopback fails to resolve: nothing can be fetched from the network.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

/** Extra flags for tfjs-webgl: WebGL in software (SwiftShader), since there is no GPU here. */
const WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/** An open browser with one page. */
export interface BrowserSession {
  page: Page;
  /** Browser name and version, e.g. `Chromium 156.0.8078.108`. */
  version: string;
  /** Every URL the page and its workers requested, in order. */
  requests: string[];
  /** Uncaught page errors and console errors, for diagnostics. */
  errors: string[];
  /** Apply `Emulation.setCPUThrottlingRate` (1 = none). */
  setThrottling(rate: number): Promise<void>;
  close(): Promise<void>;
}

/** Is this URL on the loopback interface (or a blob:/data: URL of the page itself)? */
export function isLoopbackUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === 'data:') return true;
  if (url.protocol === 'blob:') return isLoopbackUrl(raw.slice('blob:'.length));
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) return false;
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The URLs of a request log that leave the machine. */
export function findNonLoopback(urls: readonly string[]): string[] {
  return urls.filter((u) => !isLoopbackUrl(u));
}

/**
 * Launch Debian's Chromium headless with a fresh, temporary user-data-dir and open one page. Every
 * request of the context is recorded. BACKEND_UNAVAILABLE when Chromium is not installed.
 */
export async function openChromium(options: { webgl?: boolean; executablePath?: string } = {}): Promise<BrowserSession> {
  const executablePath = options.executablePath ?? process.env['EDGE_PRUNE_CHROMIUM'] ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) {
    fail('BACKEND_UNAVAILABLE', {
      expected: `Chromium at ${executablePath}`,
      found: 'no such file',
      where: 'emulated measurement',
      hint: 'install it (Debian: apt-get install chromium) or set EDGE_PRUNE_CHROMIUM to a Chromium binary; or use --method local',
    });
  }
  const { chromium } = await import('playwright-core');
  const userDataDir = await mkdtemp(join(tmpdir(), 'edge-prune-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(options.webgl ? WEBGL_ARGS : [])],
      timeout: 60_000,
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new EdgePruneError(
      'BACKEND_UNAVAILABLE',
      { expected: 'Chromium to start headless', found: (error as Error).message.split('\n')[0] ?? 'an error', where: executablePath, hint: 'check that Chromium runs here (chromium --headless --no-sandbox --version)' },
      { cause: error },
    );
  }
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  let cdp: CDPSession | undefined;
  const version = `Chromium ${context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? 'unknown'))}`;
  return {
    page,
    version,
    requests,
    errors,
    async setThrottling(rate: number) {
      cdp ??= await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    },
    async close() {
      await context.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
