// `npm run build`: compiles src/ to dist/ (JS, .d.ts, source maps), copies the run-time assets and stamps the build.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
/** Non-TypeScript files that source code loads at run time, relative to src/ (copied to the same place under dist/). */
const ASSETS = ['verify/page'];

const started = new Date();
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) {
  // A half-built dist must not look built: bin/edge-prune.js would run it.
  rmSync(dist, { recursive: true, force: true });
  console.error('build: tsc failed; dist/ removed');
  process.exit(result.status ?? 1);
}
for (const asset of ASSETS) cpSync(join(root, 'src', asset), join(dist, asset), { recursive: true });
// The stamp carries the time the build started: a source file saved during the build counts as newer.
const stamp = join(dist, '.build-stamp');
mkdirSync(dist, { recursive: true });
writeFileSync(stamp, `${started.toISOString()}\n`);
utimesSync(stamp, started, started);
