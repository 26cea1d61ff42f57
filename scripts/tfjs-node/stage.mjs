// Helpers for setup-tfjs-node.mjs: find, extract, cache and stage a TensorFlow C library, then build the binding.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, rmSync, linkSync, copyFileSync, symlinkSync, renameSync, writeFileSync, readFileSync, cpSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, basename } from 'node:path';

/** Library files the binding needs: the C/eager API lives in libtensorflow_cc.so.2 in wheels, libtensorflow.so.2 in C archives. */
export const LIB_NAMES = ['libtensorflow_cc.so.2', 'libtensorflow.so.2', 'libtensorflow_framework.so.2'];

/** Zip members extracted from a tensorflow-cpu wheel (the two libraries plus the C-API headers and what they include). */
const WHEEL_PATTERNS = [
  'tensorflow/libtensorflow_cc.so.2',
  'tensorflow/libtensorflow_framework.so.2',
  'tensorflow/include/tensorflow/c/',
  'tensorflow/include/tensorflow/core/platform/',
  'tensorflow/include/tsl/platform/',
  'tensorflow/include/xla/tsl/c/',
  'tensorflow/include/xla/tsl/platform/',
];

/** Returns the cache folder (EDGE_PRUNE_CACHE, else $XDG_CACHE_HOME/edge-prune, else ~/.cache/edge-prune). */
export function resolveCacheDir() {
  if (process.env.EDGE_PRUNE_CACHE) return process.env.EDGE_PRUNE_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'edge-prune');
}

/** Runs a command synchronously; returns {ok, out} and appends the transcript to the log. */
export function runCommand(log, cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: opts.timeoutMs ?? 15 * 60_000, cwd: opts.cwd, env: opts.env ?? process.env });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  log(out.trim().split('\n').slice(-40).join('\n'));
  if (r.error) log(`error: ${r.error.message}`);
  return { ok: r.status === 0 && !r.error, out };
}

/** Finds a Python interpreter that has pip; returns its command or null. */
export function findPython(log) {
  for (const py of ['python3', 'python']) {
    const r = spawnSync(py, ['-m', 'pip', '--version'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return py;
  }
  log('no python with pip found');
  return null;
}

/** Downloads the tensorflow-cpu wheel (or EDGE_PRUNE_TF_PIP_SPEC, e.g. tensorflow-cpu==2.21.0) with pip into dir; returns its path or null. */
export function downloadWheel(log, py, dir) {
  mkdirSync(dir, { recursive: true });
  const spec = process.env.EDGE_PRUNE_TF_PIP_SPEC || 'tensorflow-cpu';
  const base = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--retries', '2', '-d', dir];
  const attempts = [[...base, spec],
    [...base, '--python-version', '3.11', '--platform', 'manylinux_2_27_x86_64', '--platform', 'manylinux2014_x86_64', spec]];
  for (const args of attempts) {
    if (runCommand(log, py, args).ok) {
      const whl = readdirSync(dir).find((f) => /^tensorflow(_cpu)?-.*\.whl$/.test(f));
      if (whl) return join(dir, whl);
    }
  }
  return null;
}

/** Extracts the needed members of a wheel into outDir (streamed by Python's zipfile); returns true on success. */
export function extractWheel(log, py, wheel, outDir) {
  const script = [
    'import sys, zipfile, shutil, os',
    'whl, out, pats = sys.argv[1], sys.argv[2], sys.argv[3:]',
    'z = zipfile.ZipFile(whl)',
    'n = 0',
    'for m in z.infolist():',
    '    if m.is_dir() or not any(m.filename == p or (p.endswith("/") and m.filename.startswith(p)) for p in pats): continue',
    '    rel = m.filename[len("tensorflow/"):]',
    '    dst = os.path.join(out, "lib", rel) if rel.startswith("lib") else os.path.join(out, rel)',
    '    os.makedirs(os.path.dirname(dst), exist_ok=True)',
    '    with z.open(m) as src, open(dst, "wb") as f: shutil.copyfileobj(src, f, 1 << 22)',
    '    n += 1',
    'print(n)',
  ].join('\n');
  return runCommand(log, py, ['-c', script, wheel, outDir, ...WHEEL_PATTERNS]).ok
    && existsSync(join(outDir, 'lib', 'libtensorflow_cc.so.2'));
}

/** Walks a folder (depth-limited) and returns the path of the first file whose name satisfies test. */
function findFile(dir, test, depth = 5) {
  if (depth < 0 || !existsSync(dir)) return null;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isFile() && test(e.name)) return p;
  }
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) { const hit = findFile(join(dir, e.name), test, depth - 1); if (hit) return hit; }
  }
  return null;
}

/** Describes a library folder: {lib: path of the C-API library, framework, include} or null when incomplete. */
export function describeLibDir(dir) {
  const lib = findFile(dir, (n) => n === 'libtensorflow_cc.so.2' || n === 'libtensorflow.so.2');
  const framework = findFile(dir, (n) => n === 'libtensorflow_framework.so.2');
  const header = findFile(dir, (n) => n === 'c_api.h' , 8);
  // c_api.h lives at <include>/tensorflow/c/c_api.h
  const include = header ? dirname(dirname(dirname(header))) : null;
  if (!lib || !framework || !include || !existsSync(join(include, 'tensorflow', 'c', 'eager', 'c_api.h'))) return null;
  return { lib, framework, include };
}

/** Places a file at dst as a hard link (cheap, survives cache removal), else a copy. */
function linkOrCopy(src, dst) {
  rmSync(dst, { force: true });
  try { linkSync(src, dst); } catch { copyFileSync(src, dst); }
}

/** Stages a library description into <pkg>/deps with the names binding.gyp links against. */
export function stageDeps(log, pkgDir, desc) {
  const deps = join(pkgDir, 'deps');
  rmSync(deps, { recursive: true, force: true });
  mkdirSync(join(deps, 'lib'), { recursive: true });
  const libName = basename(desc.lib);
  linkOrCopy(desc.lib, join(deps, 'lib', libName));
  linkOrCopy(desc.framework, join(deps, 'lib', 'libtensorflow_framework.so.2'));
  // binding.gyp links -ltensorflow -ltensorflow_framework; the SONAMEs recorded are the .so.2 names above.
  symlinkSync(libName, join(deps, 'lib', 'libtensorflow.so'));
  symlinkSync('libtensorflow_framework.so.2', join(deps, 'lib', 'libtensorflow_framework.so'));
  cpSync(desc.include, join(deps, 'include'), { recursive: true });
  log(`staged ${desc.lib} into ${deps}`);
}

/** Finds node-gyp's entry script: npm's config, npm's bundled copy, the project's, or null for PATH. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => c && existsSync(c)) ?? null;
}

/** Finds Node's headers folder (npm's nodedir, else the install prefix of this node); null lets node-gyp decide. */
function findNodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

/** Builds tfjs_binding.node with node-gyp against the staged deps; places it at bindingPath. */
export function buildBinding(log, pkgDir, bindingPath) {
  const gyp = findNodeGyp();
  const napi = /napi-v(\d+)/.exec(bindingPath)?.[1] ?? '8';
  const args = ['rebuild', `--module_name=tfjs_binding`, `--module_path=${dirname(bindingPath)}`, `--napi_build_version=${napi}`, '-j', 'max'];
  const nodedir = findNodeDir();
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const r = gyp ? runCommand(log, process.execPath, [gyp, ...args], { cwd: pkgDir }) : runCommand(log, 'node-gyp', args, { cwd: pkgDir });
  return r.ok && existsSync(bindingPath);
}

/** Returns the cached, extracted library folder for the wheel route, filling the cache with pip when empty. */
export function ensureWheelCache(log, cacheDir) {
  const root = join(cacheDir, 'libtensorflow');
  const marker = join(root, 'complete.json');
  if (existsSync(marker)) {
    const dir = JSON.parse(readFileSync(marker, 'utf8')).dir;
    const desc = dir && describeLibDir(dir);
    if (desc) { log(`using cached ${dir}`); return { desc, source: `cached ${basename(dir)}` }; }
  }
  const py = findPython(log);
  if (!py) return { desc: null, source: 'no python/pip to fetch tensorflow-cpu' };
  const wheelDir = join(cacheDir, 'wheels');
  const wheel = downloadWheel(log, py, wheelDir);
  if (!wheel) return { desc: null, source: 'pip could not fetch tensorflow-cpu' };
  return { ...extractToCache(log, py, wheel, root), cleanup: () => rmSync(wheelDir, { recursive: true, force: true }) };
}

/** Extracts a wheel into <root>/<wheel name> atomically and records it as the cached library. */
export function extractToCache(log, py, wheel, root) {
  const name = basename(wheel).replace(/\.whl$/, '');
  const final = join(root, name);
  const tmp = `${final}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  if (!extractWheel(log, py, wheel, tmp)) return { desc: null, source: `could not extract ${basename(wheel)}` };
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  writeFileSync(join(root, 'complete.json'), JSON.stringify({ dir: final, wheel: basename(wheel), at: new Date().toISOString() }));
  return { desc: describeLibDir(final), source: basename(wheel) };
}

/** True when path is an existing file larger than 0 bytes. */
export function isFile(path) {
  try { return statSync(path).isFile(); } catch { return false; }
}
