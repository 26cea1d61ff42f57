// The device method: a real phone runs the benchmark page (USB with adb reverse, or a printed URL and QR code) and posts back.
import { networkInterfaces } from 'node:os';
import { EdgePruneError } from '../core/errors.ts';
import type { RuntimeName } from '../core/schemas.ts';
import { openUrlOnDevice, pickAdbDevice, readDeviceModel, removeReverse, reversePort } from './adb.ts';
import type { ExportedBundle } from './export-folder.ts';
import { buildPageAssets, createRunToken, pagePathOf } from './page-assets.ts';
import { assertLoopbackOnly, parsePageResult, waitWithDeadline } from './page-result.ts';
import { isLoopbackHost, startBenchServer, type BenchServer } from './server.ts';
import type { DeviceInfo, RawTiming } from './types.ts';

/** How to reach the phone and what to run. */
export interface DeviceSettings {
  runtime: RuntimeName;
  threads: number;
  warmup: number;
  runs: number;
  timeoutMs: number;
  /** Serve for a phone on the network instead of adb. */
  serve: boolean;
  /** Listen address (127.0.0.1 unless given). */
  host?: string;
  port?: number;
  serial?: string;
  /** Called with the page URLs once the server listens. */
  onServing?: (urls: string[]) => void;
}

/** What a device run returns. */
export interface DeviceRun {
  timing: RawTiming;
  device: DeviceInfo;
  /** The server's request log (`METHOD path status`). */
  requests: string[];
}

/** URLs a phone can open: the listen address, or every external IPv4 address when listening on all. */
export function listPageUrls(host: string, port: number, path: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [`http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`];
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
  return (addresses.length > 0 ? addresses : ['127.0.0.1']).map((a) => `http://${a}:${port}${path}`);
}

/** Wait for the phone's result and validate it. */
async function awaitResult(server: BenchServer, timeoutMs: number, where: string): Promise<ReturnType<typeof parsePageResult>> {
  const body = await waitWithDeadline(server.result, timeoutMs, () =>
    new EdgePruneError('DEVICE_UNAVAILABLE', {
      expected: `a result from the phone within ${Math.round(timeoutMs / 1000)} s`,
      found: server.log.length > 0 ? `requests: ${server.log.slice(-3).join('; ')}` : 'no request from the phone',
      where,
      hint: 'keep the page open in the front on the phone (screen on); raise --timeout for big models',
    }),
  );
  const result = parsePageResult(body, where);
  assertLoopbackOnly([], result.violations, where);
  return result;
}

/**
 * Measure on a real device. With `serve`, listen on `host` (127.0.0.1 unless given) and hand the
 * URLs to `onServing` (the CLI prints them with a QR code). Otherwise use adb: pick the device,
 * `adb reverse` the port, open the page in the phone's browser, read `ro.product.model`.
 * DEVICE_UNAVAILABLE when adb or a device is missing, naming which and how to connect.
 */
export async function measureOnDevice(bundle: ExportedBundle, settings: DeviceSettings): Promise<DeviceRun> {
  const device = settings.serve ? undefined : await pickAdbDevice(settings.serial);
  const token = createRunToken();
  const assets = buildPageAssets(token, bundle, { ...settings, autorun: true });
  const host = settings.serve ? (settings.host ?? '127.0.0.1') : '127.0.0.1';
  const server = await startBenchServer({ host, port: settings.port ?? 0, token, assets });
  try {
    const path = pagePathOf(token);
    if (settings.serve || !device) {
      settings.onServing?.(listPageUrls(host, server.port, path));
      const result = await awaitResult(server, settings.timeoutMs, `phone on the network (${isLoopbackHost(host) ? 'loopback only' : host})`);
      return { timing: result.timing, device: { via: 'network', model: null, serial: null, userAgent: result.userAgent }, requests: [...server.log] };
    }
    const model = await readDeviceModel(device.serial);
    await reversePort(device.serial, server.port);
    try {
      settings.onServing?.([`http://127.0.0.1:${server.port}${path}`]);
      await openUrlOnDevice(device.serial, `http://127.0.0.1:${server.port}${path}`);
      const result = await awaitResult(server, settings.timeoutMs, `${model} (${device.serial})`);
      return { timing: result.timing, device: { via: 'adb', model, serial: device.serial, userAgent: result.userAgent }, requests: [...server.log] };
    } finally {
      await removeReverse(device.serial, server.port);
    }
  } finally {
    await server.close();
  }
}
