// Builds @tensorflow/tfjs-node's native binding offline when it can; never fails `npm install` (always exits 0, prints one outcome line).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildBinding, describeLibDir, ensureWheelCache, extractToCache, findPython, isFile, resolveCacheDir, runCommand, stageDeps,
} from './tfjs-node/stage.mjs';

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = resolveCacheDir();
const logPath = join(cacheDir, 'setup-tfjs-node.log');
const FALLBACK = 'training will use the wasm backend instead (XNNPACK, all cores; about 5x slower than tfjs-node)';

/** Appends one line to the setup log (never throws). */
function log(line) {
  try { appendFileSync(logPath, `${line}\n`); } catch { /* the log is best effort */ }
}

/** Loads tfjs-node in a child (all symbols bound now) and runs a conv gradient; returns {ok, detail}. */
function probeBinding() {
  const code = `
    const tf = require('@tensorflow/tfjs-node');
    const x = tf.ones([1, 4, 4, 2]); const k = tf.ones([3, 3, 2, 3]);
    const g = tf.grad((kk) => tf.conv2d(x, kk, 1, 'same').sum())(k);
    const v = g.dataSync()[0];
    if (!(v > 0)) throw new Error('conv2d gradient gave ' + v);
    console.log('TF ' + tf.backend().binding.TF_Version);`;
  const r = spawnSync(process.execPath, ['-e', code], {
    cwd: projectDir, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, LD_BIND_NOW: '1', TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  log(`probe: status ${r.status} ${out.split('\n').slice(-6).join(' | ')}`);
  if (r.status === 0) return { ok: true, detail: out.split('\n').filter((l) => l.startsWith('TF ')).pop() ?? 'TF' };
  const reason = /can not be found at path/.test(out) ? 'binding not built' : (out.split('\n').find((l) => /Error|error/.test(l)) ?? `exit ${r.status}`);
  return { ok: false, detail: reason.slice(0, 160) };
}

/** Stages a library, builds the binding and probes it; returns the probe result. */
function stageBuildProbe(pkgDir, bindingPath, desc) {
  stageDeps(log, pkgDir, desc);
  if (!buildBinding(log, pkgDir, bindingPath)) return { ok: false, detail: 'node-gyp build failed' };
  return probeBinding();
}

/** Route (b): EDGE_PRUNE_TF_LIB names a folder, a tensorflow-cpu wheel, or a libtensorflow .tar.gz. */
function tryExplicitLibrary(pkgDir, bindingPath, spec) {
  let desc = null;
  if (spec.endsWith('.whl') && isFile(spec)) {
    const py = findPython(log);
    desc = py ? extractToCache(log, py, spec, join(cacheDir, 'libtensorflow')).desc : null;
  } else if (/\.(tar\.gz|tgz)$/.test(spec) && isFile(spec)) {
    const out = join(cacheDir, 'libtensorflow-archive');
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    if (runCommand(log, 'tar', ['-xzf', spec, '-C', out]).ok) desc = describeLibDir(out);
  } else if (existsSync(spec)) {
    desc = describeLibDir(spec);
  }
  if (!desc) return { ok: false, detail: `EDGE_PRUNE_TF_LIB=${spec} holds no libtensorflow(_cc).so.2 + libtensorflow_framework.so.2 + C headers` };
  return stageBuildProbe(pkgDir, bindingPath, desc);
}

/** Route (c): tfjs-node's own installer, only when its download host answers within a few seconds. */
async function tryOwnDownload(pkgDir) {
  const host = process.env.TFJS_NODE_CDN_STORAGE || 'https://storage.googleapis.com/';
  try {
    await fetch(`${host}tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz`, { method: 'HEAD', signal: AbortSignal.timeout(8000) });
  } catch (e) {
    log(`tfjs-node download host unreachable: ${e?.cause?.code ?? e?.name ?? e}`);
    return { ok: false, detail: 'download host unreachable' };
  }
  const env = { ...process.env, PATH: `${join(projectDir, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
  if (!runCommand(log, process.execPath, ['scripts/install.js'], { cwd: pkgDir, env, timeoutMs: 10 * 60_000 }).ok) {
    return { ok: false, detail: 'tfjs-node install script failed' };
  }
  return probeBinding();
}

/** Runs the routes in order and returns the outcome line. */
async function setup() {
  if (process.env.EDGE_PRUNE_SKIP_TF_SETUP) return `skipped (EDGE_PRUNE_SKIP_TF_SETUP is set); ${FALLBACK} unless the binding already loads`;
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(logPath, `setup-tfjs-node ${new Date().toISOString()} node ${process.version}\n`);
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return `no offline build for ${process.platform}-${process.arch}; ${FALLBACK}`;
  }
  const req = createRequire(join(projectDir, 'package.json'));
  let pkgJson;
  try { pkgJson = req.resolve('@tensorflow/tfjs-node/package.json'); } catch { return `@tensorflow/tfjs-node is not installed; ${FALLBACK}`; }
  const pkgDir = dirname(pkgJson);
  const bindingPath = createRequire(pkgJson)('@mapbox/node-pre-gyp').find(pkgJson);

  const first = probeBinding();
  if (first.ok) return `tfjs-node binding loads (${first.detail}); training uses tfjs-node`;
  log(`binding does not load yet: ${first.detail}`);

  const spec = process.env.EDGE_PRUNE_TF_LIB;
  if (spec) {
    const r = tryExplicitLibrary(pkgDir, bindingPath, resolve(spec));
    if (r.ok) return `built tfjs-node binding from EDGE_PRUNE_TF_LIB (${r.detail}); training uses tfjs-node`;
    log(`EDGE_PRUNE_TF_LIB route failed: ${r.detail}`);
  }
  const own = await tryOwnDownload(pkgDir);
  if (own.ok) return `tfjs-node installed by its own download (${own.detail}); training uses tfjs-node`;

  const cached = ensureWheelCache(log, cacheDir);
  if (cached.desc) {
    const r = stageBuildProbe(pkgDir, bindingPath, cached.desc);
    cached.cleanup?.();
    if (r.ok) return `built tfjs-node binding from ${cached.source} (${r.detail}); training uses tfjs-node`;
    return `tfjs-node binding build from ${cached.source} failed (${r.detail}); ${FALLBACK}`;
  }
  return `no TensorFlow C library available (${cached.source}); ${FALLBACK}`;
}

let line;
try {
  line = await setup();
} catch (e) {
  log(`unexpected: ${e?.stack ?? e}`);
  line = `setup failed unexpectedly (${e?.message ?? e}); ${FALLBACK}`;
}
console.log(`edge-prune setup-tfjs-node: ${line} [log: ${logPath}]`);
process.exitCode = 0;
