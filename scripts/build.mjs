// `npm run build`: compiles src/ to dist/ (JS, .d.ts, source maps), copies the run-time assets and stamps the build.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
/** Non-TypeScript files that source code loads at run time, relative to src/ (copied to the same place under dist/). */
const ASSETS = ['verify/page'];

// Build beside dist/ and swap it in at the end: a CLI running from dist/ meanwhile (it imports
// stages lazily) never sees a half-written or missing dist/.
const started = new Date();
const next = join(root, `dist.building-${process.pid}`);
rmSync(next, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', next], { stdio: 'inherit' });
if (result.status !== 0) {
  rmSync(next, { recursive: true, force: true });
  // The old dist/ stays; it is older than src/ now, so bin/edge-prune.js runs src/ instead of it.
  console.error('build: tsc failed; dist/ left as it was');
  process.exit(result.status ?? 1);
}
for (const asset of ASSETS) cpSync(join(root, 'src', asset), join(next, asset), { recursive: true });
// The stamp carries the time the build started: a source file saved during the build counts as newer.
const stamp = join(next, '.build-stamp');
writeFileSync(stamp, `${started.toISOString()}\n`);
utimesSync(stamp, started, started);
const old = join(root, `dist.old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
