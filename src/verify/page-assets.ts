// The benchmark page's allow-list: URL path → local file (page, tfjs/onnxruntime-web from node_modules, the run's bundle).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail } from '../core/errors.ts';
import type { RuntimeName } from '../core/schemas.ts';
import { inputDimsOf, type ExportedBundle } from './export-folder.ts';
import type { Asset } from './server.ts';

const require = createRequire(import.meta.url);
const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'page');

/** What the page reads from `/run/<token>/config.json`. */
export interface PageConfig {
  runtime: RuntimeName;
  /** tfjs backend (`wasm` | `webgl`) or `wasm` for onnxruntime-web. */
  backend: 'wasm' | 'webgl';
  threads: number;
  format: ExportedBundle['format'];
  /** Model entry URL relative to the page. */
  model: string;
  inputDims: number[];
  warmup: number;
  runs: number;
  /** Measure and post at once (false: wait for the host to drive `window.edgePruneBench`). */
  autorun: boolean;
  /** When > 0, each timed run is the mean of back-to-back inferences over at least this many ms. */
  windowMs: number;
}

/** A fresh run token: 32 random bytes as hex (only URL-path-safe characters). */
export function createRunToken(): string {
  return randomBytes(32).toString('hex');
}

/** Content type by file extension. */
function contentType(path: string): string {
  if (path.endsWith('.html')) return 'text/html; charset=utf-8';
  if (path.endsWith('.js') || path.endsWith('.mjs')) return 'text/javascript; charset=utf-8';
  if (path.endsWith('.wasm')) return 'application/wasm';
  if (path.endsWith('.json')) return 'application/json; charset=utf-8';
  return 'application/octet-stream';
}

/** A file asset that must exist (the npm packages ship these files; a missing one is an install problem). */
function fileAsset(file: string): Asset {
  if (!existsSync(file)) {
    fail('BACKEND_UNAVAILABLE', { expected: `the file ${file}`, found: 'nothing', where: 'benchmark page assets', hint: 'reinstall the npm dependencies (npm ci)' });
  }
  return { file, type: contentType(file) };
}

/** The runtime library files a page needs, served from node_modules (never a CDN). */
function libraryAssets(runtime: RuntimeName): Array<[string, Asset]> {
  if (runtime.startsWith('onnxruntime')) {
    const dist = dirname(require.resolve('onnxruntime-web'));
    return ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'].map((f) => [`/ort/${f}`, fileAsset(join(dist, f))]);
  }
  const tfjs = join(dirname(require.resolve('@tensorflow/tfjs/package.json')), 'dist');
  const wasm = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const files: Array<[string, Asset]> = [['/lib/tf.min.js', fileAsset(join(tfjs, 'tf.min.js'))]];
  if (runtime === 'tfjs-wasm') {
    for (const f of ['tf-backend-wasm.min.js', 'tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      files.push([`/lib/${f}`, fileAsset(join(wasm, f))]);
    }
  }
  return files;
}

/** The page runtime for a target runtime: onnxruntime-mobile/-node run as onnxruntime-web in a browser. */
export function pageRuntimeOf(runtime: RuntimeName): RuntimeName {
  return runtime.startsWith('onnxruntime') ? 'onnxruntime-web' : runtime;
}

/**
 * Build the run's fixed allow-list: the page at `/run/<token>/`, its script, the runtime library
 * files, the config, and exactly the bundle's files under `/run/<token>/model/`.
 */
export function buildPageAssets(token: string, bundle: ExportedBundle, settings: { runtime: RuntimeName; threads: number; warmup: number; runs: number; autorun: boolean; windowMs?: number }): Map<string, Asset> {
  const runtime = pageRuntimeOf(settings.runtime);
  const config: PageConfig = {
    runtime,
    backend: runtime === 'tfjs-webgl' ? 'webgl' : 'wasm',
    threads: settings.threads,
    format: bundle.format,
    model: `model/${bundle.entry.split('/').map(encodeURIComponent).join('/')}`,
    inputDims: inputDimsOf(bundle),
    warmup: settings.warmup,
    runs: settings.runs,
    autorun: settings.autorun,
    windowMs: settings.windowMs ?? 0,
  };
  const base = `/run/${token}/`;
  const page = fileAsset(join(PAGE_DIR, 'index.html'));
  const assets = new Map<string, Asset>([
    [base, page],
    [`${base}index.html`, page],
    [`${base}config.json`, { body: JSON.stringify(config), type: contentType('config.json') }],
    ['/page/bench.js', fileAsset(join(PAGE_DIR, 'bench.js'))],
    ...libraryAssets(runtime),
  ]);
  for (const f of bundle.files) assets.set(`${base}model/${f.path.split('/').map(encodeURIComponent).join('/')}`, { file: f.absolute, type: contentType(f.path) });
  return assets;
}

/** The page path of a run. */
export function pagePathOf(token: string): string {
  return `/run/${token}/`;
}
