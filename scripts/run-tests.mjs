// Runs the test files under test/ with Node's test runner (files listed explicitly: Node 20 needs that), by tier.
//
//   node scripts/run-tests.mjs [--tier unit|full] [substring...]
//
// Tiers. `npm test` runs every file (--tier full, the default). `npm run test:unit` (--tier unit) runs
// the files whose header — the comment lines at the top — does not hold `// tier: full (<why>)`.
// Mark a file `tier: full` when it spawns the CLI, drives a browser, installs packages or trains beyond
// a few steps; the unit tier stays under 3 minutes on 2 cores. As a guard, the unit tier refuses a
// file that names bin/edge-prune.js or Chromium without the mark.
//
// Beside. A file whose header holds `// beside: <why>` (a long test that mostly waits on child processes,
// e.g. the README's install + run on a fresh clone) runs in a second test process alongside the other
// files instead of after them; the two processes' results are reported one after the other and the
// run fails if either fails. Everything else runs one file at a time (--test-concurrency=1).
//
// Hermetic: the tests run from the repository root with a fresh, empty decoded-data cache
// (EDGE_PRUNE_CACHE_DIR, removed afterwards) unless the caller sets one, so no test depends on (or
// fills) ~/.cache/edge-prune. Arguments other than --tier keep the files whose path contains one of them.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIERS = ['unit', 'full'];
/** What a unit-tier file must not do (checked on its own text). */
const FULL_ONLY = /bin\/edge-prune|edge-prune\.js|openChromium|playwright|measureEmulated/;

/** Collect `*.test.ts` files below a folder (paths relative to the root), sorted for a stable order. */
function collect(dir) {
  const out = [];
  for (const name of readdirSync(join(ROOT, dir)).sort()) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Whether the file's leading comment lines hold a line matching `pattern`. */
function headerHas(text, pattern) {
  for (const line of text.split('\n')) {
    if (!line.startsWith('//')) break;
    if (pattern.test(line)) return true;
  }
  return false;
}

/** The file's tier: `full` when its leading comment lines hold `// tier: full`, else `unit`. */
const tierOf = (text) => (headerHas(text, /^\/\/\s*tier:\s*full\b/) ? 'full' : 'unit');
/** Whether the file runs in the second process, beside the others (`// beside: <why>`). */
const runsBeside = (text) => headerHas(text, /^\/\/\s*beside:/);

const args = process.argv.slice(2);
let tier = 'full';
const filter = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--tier') tier = args[++i];
  else if (args[i]?.startsWith('--tier=')) tier = args[i].slice('--tier='.length);
  else filter.push(args[i]);
}
if (!TIERS.includes(tier)) {
  console.error(`run-tests: --tier must be one of ${TIERS.join(', ')}, got ${JSON.stringify(tier)}`);
  process.exit(2);
}

let files = collect('test').filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)));
const texts = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));
if (tier === 'unit') {
  files = files.filter((f) => tierOf(texts.get(f)) === 'unit');
  const offenders = files.filter((f) => FULL_ONLY.test(texts.get(f)));
  if (offenders.length > 0) {
    console.error(`run-tests: these files spawn the CLI or open Chromium but lack the \`// tier: full (<why>)\` header line:\n  ${offenders.join('\n  ')}`);
    process.exit(2);
  }
}
if (files.length === 0) {
  console.error(`no ${tier}-tier test files matched`);
  process.exit(1);
}

const ownCache = process.env.EDGE_PRUNE_CACHE_DIR ? undefined : mkdtempSync(join(tmpdir(), 'edge-prune-test-cache-'));
const env = ownCache ? { ...process.env, EDGE_PRUNE_CACHE_DIR: ownCache } : process.env;
console.error(`run-tests: ${tier} tier, ${files.length} files, decoded-data cache ${env.EDGE_PRUNE_CACHE_DIR}${ownCache ? ' (fresh, removed afterwards)' : ''}`);
const beside = files.filter((f) => runsBeside(texts.get(f)));
const main = files.filter((f) => !beside.includes(f));
/** Run files in one `node --test` process; `capture` buffers its output (printed when both are done). */
const runFiles = (list, capture) =>
  new Promise((resolve) => {
    if (list.length === 0) return resolve({ status: 0, output: '' });
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...list], { cwd: ROOT, env, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (capture) for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ status: code ?? 1, output }));
  });
let results = [];
try {
  if (beside.length > 0) console.error(`run-tests: beside the others, in a second process: ${beside.join(', ')}`);
  results = await Promise.all([runFiles(main, false), runFiles(beside, true)]);
  if (beside.length > 0) process.stdout.write(`\nrun-tests: results of ${beside.join(', ')} (ran beside the others):\n${results[1].output}`);
} finally {
  if (ownCache) rmSync(ownCache, { recursive: true, force: true });
}
process.exit(results.length === 2 && results.every((r) => r.status === 0) ? 0 : 1);
