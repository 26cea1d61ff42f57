// The benchmark server: a fixed allow-list of assets, COOP/COEP headers, and one result post per run token.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fail } from '../core/errors.ts';

/** One servable asset: a file on disk or bytes in memory, with its content type. */
export interface Asset {
  file?: string;
  body?: string | Uint8Array;
  type: string;
}

/** Options of the benchmark server. */
export interface BenchServerOptions {
  /** Listen address; 127.0.0.1 unless the user gave --host. */
  host?: string;
  /** Listen port; 0 picks a free one. */
  port?: number;
  /** The run's one-time token: the only key that may post a result. */
  token: string;
  /** URL path → asset. Nothing outside this map is ever served. */
  assets: ReadonlyMap<string, Asset>;
  /** Largest accepted request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
}

/** A running server. */
export interface BenchServer {
  host: string;
  port: number;
  /** `http://host:port` as a browser on this machine reaches it. */
  origin: string;
  /** Resolves with the parsed JSON body of the first post that carries the token. */
  result: Promise<unknown>;
  /** Requests as `METHOD path status`, in order (the first 1000). */
  log: string[];
  close(): Promise<void>;
}

/** Header that carries the run token on result posts. */
export const TOKEN_HEADER = 'x-edge-prune-token';
/** Path of the result post. */
export const RESULT_PATH = '/result';
const DEFAULT_MAX_BODY = 1024 * 1024;
/** Request log entries kept (a long --serve session must not grow without bound). */
const MAX_LOG = 1000;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Headers on every response: cross-origin isolation (wasm threads), no caching, no sniffing. */
const BASE_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

/** Pages may load and connect to this origin only (blob: for tfjs's wasm thread workers; tf.min.js needs eval). */
const PAGE_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval' blob:; worker-src 'self' blob:; connect-src 'self' blob: data:; " +
  "img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Constant-time comparison of a presented token with the run's token (hashes equalize the lengths). */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** Is this a loopback listen address? */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/** End a response with a status and a short text body. */
function send(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra });
  res.end(`${text}\n`);
}

/** Read a request body up to `limit` bytes; null when it is larger. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Start the benchmark server. It answers GET/HEAD for the exact paths of `assets` (no file path is
 * ever built from a request, so `..` cannot escape), and POST /result only with the run's token in
 * the `x-edge-prune-token` header, compared in constant time, accepted once, bodies up to
 * `maxBodyBytes` (413 beyond). Bound to loopback, it also refuses requests whose Host header is not
 * the loopback origin (DNS rebinding).
 */
export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const log: string[] = [];
  let used = false;
  let accept!: (value: unknown) => void;
  const result = new Promise<unknown>((resolve) => (accept = resolve));
  let port = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const path = new URL(req.url ?? '/', 'http://server.invalid').pathname;
    if (isLoopbackHost(host)) {
      const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
      if (!allowed.includes(req.headers.host ?? '')) return (send(res, 421, 'wrong host'), 421);
    }
    if (req.method === 'POST' && path === RESULT_PATH) {
      const given = req.headers[TOKEN_HEADER];
      if (typeof given !== 'string' || !tokensMatch(given, options.token)) return (send(res, 403, 'forbidden', { Connection: 'close' }), 403);
      if (used) return (send(res, 409, 'this run already has its result', { Connection: 'close' }), 409);
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBody) return (send(res, 413, 'request body too large', { Connection: 'close' }), 413);
      const body = await readBody(req, maxBody);
      if (body === null) return (send(res, 413, 'request body too large', { Connection: 'close' }), 413);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return (send(res, 400, 'expected a JSON body'), 400);
      }
      used = true;
      send(res, 200, 'ok');
      accept(parsed);
      return 200;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return (send(res, 405, 'method not allowed', { Allow: 'GET, HEAD', Connection: 'close' }), 405);
    const asset = options.assets.get(path);
    if (!asset) return (send(res, 404, 'not found'), 404);
    const bytes = asset.body ?? (asset.file ? await readFile(asset.file) : '');
    const headers: Record<string, string> = { ...BASE_HEADERS, 'Content-Type': asset.type, 'Content-Length': String(Buffer.byteLength(bytes)) };
    if (asset.type.startsWith('text/html')) headers['Content-Security-Policy'] = PAGE_CSP;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : bytes);
    return 200;
  };

  const record = (entry: string): void => {
    if (log.length < MAX_LOG) log.push(entry.length > 300 ? `${entry.slice(0, 297)}...` : entry);
  };
  const server = createServer((req, res) => {
    handle(req, res)
      .then((status) => record(`${req.method} ${req.url} ${status}`))
      .catch(() => {
        record(`${req.method} ${req.url} 500`);
        if (!res.headersSent) send(res, 500, 'internal error');
        else res.destroy();
      });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 10_000;
  server.maxHeadersCount = 50;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL'
          ? new Error(`cannot listen on ${host}:${options.port ?? 0}: ${error.code}`)
          : error,
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  }).catch((error: Error) =>
    fail('IO_ERROR', { expected: 'a free port to listen on', found: error.message, where: `benchmark server ${host}:${options.port ?? 0}`, hint: 'pick another --port, or free the port' }),
  );
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    origin: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : shownHost}:${port}`,
    result,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
