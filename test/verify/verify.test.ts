// verify end to end on a real export: local (tfjs wasm, onnxruntime-node), emulated (Chromium), device paths, calibration, CLI.
// tier: full (Chromium; spawns the CLI)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_CODES } from '../../src/cli/output.ts';
import { ProfileSchema } from '../../src/core/schemas.ts';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { PACKAGE_ROOT, loadTarget } from '../../src/targets/load-targets.ts';
import { openChromium } from '../../src/verify/browser.ts';
import { calibrateEmulation } from '../../src/verify/calibrate-emulation.ts';
import { measureEmulated } from '../../src/verify/emulated.ts';
import { readExportedBundle } from '../../src/verify/export-folder.ts';
import { readMeasurements } from '../../src/verify/measurements-file.ts';
import type { Measurement } from '../../src/verify/types.ts';
import { verifyExport } from '../../src/verify/verify-export.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/edge-prune.js');
let work = '';
let exportDir = '';

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'edge-prune-verify-'));
  exportDir = join(work, 'export');
  await exportBundle(await readBundle(await ensureFixture('mobilenetv2')), { formats: ['tfjs', 'onnx'], outDir: exportDir });
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The record's fields and their sanity (never a timing bound). */
function assertSane(m: Measurement, runs: number, warmup: number): void {
  assert.equal(m.runs, runs);
  assert.equal(m.runsMs.length, runs);
  assert.equal(m.warmup, warmup);
  for (const v of [m.medianMs, m.p90Ms, m.minMs, m.maxMs, m.firstRunMs]) assert.ok(Number.isFinite(v) && v > 0, `positive: ${v}`);
  assert.ok(m.minMs <= m.medianMs && m.medianMs <= m.p90Ms && m.p90Ms <= m.maxMs, `min ≤ median ≤ p90 ≤ max: ${m.minMs} ${m.medianMs} ${m.p90Ms} ${m.maxMs}`);
  assert.equal(m.pass, m.medianMs <= m.budgetMs);
  assert.ok(m.threads >= 1);
  assert.ok(m.label.startsWith(`${m.method}:`), m.label);
  assert.ok(m.predictedMs === null || m.predictedMs > 0);
  assert.equal(m.model.bytes > 0, true);
}

test('local: the TF.js bundle on tfjs wasm in Node and the ONNX model on onnxruntime-node', async () => {
  const tfjs = await verifyExport(exportDir, { target: loadTarget('host'), method: 'local', runs: 5, warmup: 2 });
  assertSane(tfjs, 5, 2);
  assert.equal(tfjs.runtime, 'tfjs-wasm');
  assert.equal(tfjs.model.file, 'tfjs/model.json');
  assert.equal(tfjs.backend, 'wasm');
  assert.ok(tfjs.peakMemoryMb !== null && tfjs.peakMemoryMb > 0);
  assert.deepEqual(tfjs.predictedBy, { profile: 'host', runtime: 'tfjs-wasm' });
  assert.equal(tfjs.device, null);

  const onnx = await verifyExport(exportDir, { target: loadTarget('pixel7-onnx'), method: 'local', runs: 4, warmup: 1 });
  assertSane(onnx, 4, 1);
  assert.equal(onnx.runtime, 'onnxruntime-node');
  assert.equal(onnx.targetRuntime, 'onnxruntime-web');
  assert.equal(onnx.model.file, 'onnx/model.onnx');
  assert.match(onnx.label, /the target runs onnxruntime-web/);

  const file = await readMeasurements(join(exportDir, 'measurements.json'));
  assert.deepEqual(file.measurements.slice(-2).map((m) => m.runtime), ['tfjs-wasm', 'onnxruntime-node']);
  assert.deepEqual(file.measurements.at(-1)?.runsMs, onnx.runsMs);
});

test('emulated: tfjs wasm and onnxruntime-web in Chromium, throttled, loopback requests only', async () => {
  const wasm = await verifyExport(exportDir, { target: loadTarget('pixel7'), method: 'emulated', runs: 6, warmup: 2, record: false });
  assertSane(wasm, 6, 2);
  assert.equal(wasm.runtime, 'tfjs-wasm');
  assert.equal(wasm.simd, true);
  assert.equal(wasm.throttlingRate, loadTarget('pixel7').profile.emulation.cpuThrottlingRate.value);
  assert.match(wasm.label, /^emulated: headless Chromium .*CPU throttled ×[\d.]+.*not the device$/);
  assert.ok(wasm.requests && wasm.requests.length > 0);
  assert.ok(wasm.requests.every((u) => u.startsWith('http://127.0.0.1:')), wasm.requests.join('\n'));
  assert.ok(wasm.requests.some((u) => u.endsWith('/model/tfjs/model.json')));
  assert.ok(wasm.requests.some((u) => u.endsWith('.wasm')));

  const ort = await verifyExport(exportDir, { target: loadTarget('pixel7-onnx'), method: 'emulated', runs: 4, warmup: 1, throttlingRate: 2, record: false });
  assertSane(ort, 4, 1);
  assert.equal(ort.runtime, 'onnxruntime-web');
  assert.equal(ort.throttlingRate, 2);
  assert.ok(ort.requests?.some((u) => u.endsWith('/model/onnx/model.onnx')));
  assert.ok(ort.requests?.every((u) => u.startsWith('http://127.0.0.1:')));
});

test('emulated: a bundle with more large shards than Chromium opens connections per host still loads', async () => {
  const modelJson = await ensureFixture('vgg16');
  const root = dirname(modelJson);
  const names = (await readdir(root)).filter((f) => f.endsWith('.bin') || f === 'model.json');
  const files = await Promise.all(names.map(async (f) => ({ path: f, absolute: join(root, f), bytes: (await stat(join(root, f))).size })));
  assert.ok(files.filter((f) => f.bytes > 1e6).length > 6);
  const bundle = { root, format: 'tfjs' as const, entry: 'model.json', files, inputShape: [32, 32, 3], layout: null, bytes: files.reduce((n, f) => n + f.bytes, 0) };
  const run = await measureEmulated(bundle, { runtime: 'tfjs-wasm', threads: 1, warmup: 0, runs: 1, rate: 1, timeoutMs: 120_000 });
  assert.equal(run.timing.runsMs.length, 1);
  assert.ok(run.requests.filter((u) => u.endsWith('.bin')).length === files.length - 1);
});

test('device: adb without a device gives DEVICE_UNAVAILABLE saying which', async () => {
  await assert.rejects(verifyExport(exportDir, { target: loadTarget('pixel7'), method: 'device', runs: 1, warmup: 0, record: false }), (error: Error & { code?: string; found?: string; hint?: string }) => {
    assert.equal(error.code, 'DEVICE_UNAVAILABLE');
    assert.match(String(error.found), /no device attached|no "adb" executable/);
    assert.match(String(error.hint), /USB debugging|apt-get install adb/);
    return true;
  });
});

test('device --serve: a browser opening the printed URL posts the result with the run token', async () => {
  const browser = await openChromium();
  try {
    let opened: Promise<unknown> | undefined;
    const m = await verifyExport(exportDir, {
      target: loadTarget('pixel7'), method: 'device', serve: true, runs: 3, warmup: 1, record: false, timeoutMs: 120_000,
      onServing: (urls) => {
        assert.equal(urls.length, 1);
        assert.match(urls[0] as string, /^http:\/\/127\.0\.0\.1:\d+\/run\/[0-9a-f]{64}\/$/);
        opened = browser.page.goto(urls[0] as string);
      },
    });
    await opened;
    assertSane(m, 3, 1);
    assert.equal(m.device?.via, 'network');
    assert.match(String(m.device?.userAgent), /Chrome/);
    assert.ok(m.label.startsWith('device: '));
  } finally {
    await browser.close();
  }
});

test('calibrate emulation: searches a rate for the reference latency and records it in the profile', async () => {
  const root = join(work, 'config');
  await cp(join(PACKAGE_ROOT, 'profiles'), join(root, 'profiles'), { recursive: true });
  await cp(join(PACKAGE_ROOT, 'targets'), join(root, 'targets'), { recursive: true });
  const { target } = loadTarget('pixel7', { root });
  const referenceBundle = await readExportedBundle(exportDir, target);
  const c = await calibrateEmulation('pixel7', { configRoot: root, referenceBundle, referenceMs: 50, warmup: 1, runs: 5, maxSteps: 3 });
  assert.equal(c.profile, 'pixel7');
  assert.ok(c.points.length >= 1 && c.points[0]?.rate === 1);
  assert.ok(c.rate >= 1 && c.emulatedMs > 0 && c.unthrottledMs > 0);
  assert.ok(c.fromFit || c.points.some((p) => p.rate === c.rate));
  const written = ProfileSchema.parse(JSON.parse(await readFile(join(root, 'profiles/pixel7.json'), 'utf8')));
  assert.equal(written.emulation.calibrated, true);
  assert.equal(written.emulation.cpuThrottlingRate.basis, 'measured');
  assert.equal(written.emulation.cpuThrottlingRate.value, Number(c.rate.toFixed(2)));
  assert.match(written.emulation.cpuThrottlingRate.source, /calibrate-emulation/);
});

test('edge-prune verify --json: exit 0 within budget, 11 over it; typed errors for bad input', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'verify', ...args, '--json'], { encoding: 'utf8', timeout: 120_000 });
  const ok = run([exportDir, '--target', 'host', '--method', 'local', '--runs', '3', '--warmup', '1', '--latency-ms', '100000', '--no-record']);
  assert.equal(ok.status, EXIT_CODES.OK, ok.stderr);
  const m = JSON.parse(ok.stdout) as Measurement;
  for (const key of ['method', 'target', 'runtime', 'backend', 'threads', 'warmup', 'runs', 'medianMs', 'p90Ms', 'minMs', 'maxMs', 'firstRunMs', 'peakMemoryMb', 'budgetMs', 'pass', 'label', 'device', 'predictedMs']) {
    assert.ok(key in m, `missing ${key}`);
  }
  assert.equal(m.budgetMs, 100000);
  const over = run([exportDir, '--target', 'host', '--method', 'local', '--runs', '2', '--warmup', '0', '--latency-ms', '0.001', '--no-record']);
  assert.equal(over.status, EXIT_CODES.OVER_BUDGET, over.stderr);
  assert.equal((JSON.parse(over.stdout) as Measurement).pass, false);
  const missing = run([join(work, 'nothing-here'), '--target', 'host', '--method', 'local']);
  assert.equal(missing.status, EXIT_CODES.INVALID_ARGUMENT);
  assert.match(missing.stdout, /manifest\.json/);
  const badRuns = run([exportDir, '--target', 'host', '--method', 'local', '--runs', '0']);
  assert.equal(badRuns.status, EXIT_CODES.INVALID_ARGUMENT);
});
