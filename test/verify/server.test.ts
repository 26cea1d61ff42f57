// The benchmark server's safety rules, the statistics and the small parsers of the verify stage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAdbDevices } from '../../src/verify/adb.ts';
import { fitPowerLaw, nextRate } from '../../src/verify/calibrate-emulation.ts';
import { findNonLoopback, isLoopbackUrl } from '../../src/verify/browser.ts';
import { createRunToken } from '../../src/verify/page-assets.ts';
import { RESULT_PATH, TOKEN_HEADER, startBenchServer, tokensMatch, type BenchServer } from '../../src/verify/server.ts';
import { summarizeRuns } from '../../src/core/statistics.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Send a raw request (the path is sent as is: no client-side normalization of `..`). */
function send(server: BenchServer, method: string, path: string, options: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method, path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** A server with one page file and one model file. */
async function withServer(run: (server: BenchServer, token: string) => Promise<void>, maxBodyBytes = 4096): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-prune-server-'));
  const token = createRunToken();
  await writeFile(join(dir, 'index.html'), '<p>page</p>');
  await writeFile(join(dir, 'model.json'), '{"model": true}');
  const assets = new Map([
    [`/run/${token}/`, { file: join(dir, 'index.html'), type: 'text/html; charset=utf-8' }],
    [`/run/${token}/model/model.json`, { file: join(dir, 'model.json'), type: 'application/json' }],
  ]);
  const server = await startBenchServer({ token, assets, maxBodyBytes });
  try {
    await run(server, token);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('the server binds loopback by default and serves allow-listed assets with COOP/COEP', async () => {
  await withServer(async (server, token) => {
    assert.equal(server.host, '127.0.0.1');
    const page = await send(server, 'GET', `/run/${token}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.equal((await send(server, 'GET', `/run/${token}/model/model.json`)).body, '{"model": true}');
    assert.equal((await send(server, 'GET', '/run/not-the-token/model/model.json')).status, 404);
    assert.equal((await send(server, 'DELETE', `/run/${token}/`)).status, 405);
    assert.equal((await send(server, 'GET', `/run/${token}/`, { headers: { Host: 'evil.example:80' } })).status, 421, 'DNS-rebinding host refused');
  });
});

test('path traversal requests get 404', async () => {
  await withServer(async (server, token) => {
    for (const path of [
      '/../../../../etc/passwd',
      `/run/${token}/model/../../../../../etc/passwd`,
      `/run/${token}/model/..%2f..%2f..%2fetc%2fpasswd`,
      '/%2e%2e/%2e%2e/etc/passwd',
      `/run/${token}/model/%2e%2e/%2e%2e/package.json`,
      '/lib/../../package.json',
      '/etc/passwd',
      `/run/${token}/model/model.json/..`,
      `/run/${token}/model//model.json`,
    ]) {
      const reply = await send(server, 'GET', path);
      assert.equal(reply.status, 404, `${path} → ${reply.status}`);
      assert.doesNotMatch(reply.body, /root:|"name"/);
    }
  });
});

test('a forged token is refused; the run token is accepted once', async () => {
  await withServer(async (server, token) => {
    const body = JSON.stringify({ ok: true });
    assert.equal((await send(server, 'POST', RESULT_PATH, { body })).status, 403, 'no token');
    assert.equal((await send(server, 'POST', RESULT_PATH, { headers: { [TOKEN_HEADER]: createRunToken() }, body })).status, 403, 'forged token');
    assert.equal((await send(server, 'POST', RESULT_PATH, { headers: { [TOKEN_HEADER]: `${token}0` }, body })).status, 403, 'token with a suffix');
    assert.equal((await send(server, 'POST', RESULT_PATH, { headers: { [TOKEN_HEADER]: token.slice(0, -1) }, body })).status, 403, 'token prefix');
    assert.equal((await send(server, 'POST', RESULT_PATH, { headers: { [TOKEN_HEADER]: token }, body: 'not json' })).status, 400);
    assert.equal((await send(server, 'POST', RESULT_PATH, { headers: { [TOKEN_HEADER]: token }, body })).status, 200);
    assert.deepEqual(await server.result, { ok: true });
    assert.equal((await send(server, 'POST', RESULT_PATH, { headers: { [TOKEN_HEADER]: token }, body })).status, 409, 'one-time token');
  });
});

test('an oversized result post gets 413, declared or streamed', async () => {
  await withServer(async (server, token) => {
    const big = Buffer.alloc(64 * 1024, 0x20);
    const declared = await send(server, 'POST', RESULT_PATH, { headers: { [TOKEN_HEADER]: token, 'Content-Length': String(big.length) }, body: big });
    assert.equal(declared.status, 413);
    const streamed = await send(server, 'POST', RESULT_PATH, { headers: { [TOKEN_HEADER]: token, 'Transfer-Encoding': 'chunked' }, body: big });
    assert.equal(streamed.status, 413);
    // The token was not spent by the refused posts.
    assert.equal((await send(server, 'POST', RESULT_PATH, { headers: { [TOKEN_HEADER]: token }, body: '{"ok":true}' })).status, 200);
  });
});

test('token comparison, loopback URL checks, run statistics and adb device lists', () => {
  const t = createRunToken();
  assert.match(t, /^[0-9a-f]{64}$/);
  assert.equal(tokensMatch(t, t), true);
  assert.equal(tokensMatch(`${t}x`, t), false);
  assert.equal(tokensMatch('', t), false);
  for (const u of ['http://127.0.0.1:8080/a', 'http://localhost:1/x', 'http://[::1]:3/', 'blob:http://127.0.0.1:5/uuid', 'data:,x']) assert.equal(isLoopbackUrl(u), true, u);
  for (const u of ['https://cdn.jsdelivr.net/npm/x', 'http://192.168.1.2/', 'http://127.0.0.1.evil.com/', 'ftp://127.0.0.1/', 'blob:https://example.com/u', 'not a url']) assert.equal(isLoopbackUrl(u), false, u);
  assert.deepEqual(findNonLoopback(['http://127.0.0.1/a', 'https://unpkg.com/b']), ['https://unpkg.com/b']);

  const s = summarizeRuns([5, 1, 3, 2, 4, 10, 6, 7, 8, 9]);
  assert.deepEqual(s, { medianMs: 5.5, p90Ms: 9, minMs: 1, maxMs: 10 });
  assert.deepEqual(summarizeRuns([2]), { medianMs: 2, p90Ms: 2, minMs: 2, maxMs: 2 });
  assert.throws(() => summarizeRuns([]), { name: 'EdgePruneError' });

  const devices = parseAdbDevices('* daemon not running; starting now at tcp:5037\n* daemon started successfully\nList of devices attached\nR5CT123\tdevice\nemulator-5554\tunauthorized\n\n');
  assert.deepEqual(devices, [{ serial: 'R5CT123', state: 'device' }, { serial: 'emulator-5554', state: 'unauthorized' }]);
  assert.deepEqual(parseAdbDevices('List of devices attached\n\n'), []);
});

test('the throttling search: a log-log fit over the points, geometric steps until the reference is reached', () => {
  const law = (rate: number): number => 20 * rate ** 1.3;
  const points = [1, 2, 3].map((rate) => ({ rate, medianMs: law(rate) }));
  const fit = fitPowerLaw(points);
  assert.ok(fit && Math.abs(fit.b - 1.3) < 1e-9 && Math.abs(Math.exp(fit.a) - 20) < 1e-9);
  assert.ok(Math.abs(law(nextRate(points, 50, 32)) - 50) < 1e-6, 'solves the fit for the reference');
  const below = [{ rate: 1, medianMs: 10 }];
  assert.equal(nextRate(below, 50, 32), 5, 'steps by the missing ratio');
  assert.equal(nextRate(below, 1000, 32), 8, 'at most 8× per step');
  assert.equal(nextRate([{ rate: 1, medianMs: 49 }], 50, 32), 1.25, 'at least 1.25× per step');
  assert.equal(nextRate([{ rate: 20, medianMs: 10 }], 1000, 32), 32, 'capped at the maximum rate');
  assert.equal(fitPowerLaw([{ rate: 2, medianMs: 5 }]), null);
});
