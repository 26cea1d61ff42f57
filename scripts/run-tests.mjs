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
// Hermetic: the tests run from the repository root with a fresh, empty decoded-data cache
// (EDGE_PRUNE_CACHE_DIR, removed afterwards) unless the caller sets one, so no test depends on (or
// fills) ~/.cache/edge-prune. Arguments other than --tier keep the files whose path contains one of them.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
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

/** The file's tier: `full` when its leading comment lines hold `// tier: full`, else `unit`. */
function tierOf(text) {
  for (const line of text.split('\n')) {
    if (!line.startsWith('//')) break;
    if (/^\/\/\s*tier:\s*full\b/.test(line)) return 'full';
  }
  return 'unit';
}

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
if (tier === 'unit') {
  const texts = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));
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
let result;
try {
  result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { cwd: ROOT, env, stdio: 'inherit' });
} finally {
  if (ownCache) rmSync(ownCache, { recursive: true, force: true });
}
process.exit(result?.status ?? 1);
