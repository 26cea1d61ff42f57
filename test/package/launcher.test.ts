// bin/edge-prune.js picks dist/ or src/: it never runs a dist/ older than src/, and an installed package (no src/) runs dist/.
// tier: full (spawns the CLI)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A package folder with the real launcher, a src/ and a dist/ CLI that each print where they ran from. */
function makePackage(): string {
  const root = mkdtempSync(join(tmpdir(), 'edge-prune-launcher-'));
  mkdirSync(join(root, 'bin'));
  cpSync(join(PROJECT, 'bin', 'edge-prune.js'), join(root, 'bin', 'edge-prune.js'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(PROJECT, 'node_modules'), join(root, 'node_modules'));
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
  // Typed on purpose: only tsx can run this file.
  writeFileSync(join(root, 'src', 'cli', 'main.ts'), "const from: string = 'source';\nconsole.log(from);\n");
  writeFileSync(join(root, 'src', 'cli', 'other.ts'), 'export {};\n');
  writeFileSync(join(root, 'dist', 'cli', 'main.js'), "console.log('dist');\n");
  return root;
}

/** Set the modification time of `path` to `secondsAgo` seconds before now. */
function age(path: string, secondsAgo: number): void {
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, t, t);
}

/** Mark dist/ built now, after every source file (all aged 60 s). */
function stampBuild(root: string): void {
  for (const p of ['src/cli/main.ts', 'src/cli/other.ts', 'src/cli', 'src']) age(join(root, p), 60);
  writeFileSync(join(root, 'dist', '.build-stamp'), 'built\n');
  age(join(root, 'dist', '.build-stamp'), 30);
}

/** Run the launcher and return what the CLI printed (`source` or `dist`). */
function launch(root: string, env: Record<string, string> = {}): string {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'EDGE_PRUNE_FROM_SOURCE'));
  const r = spawnSync(process.execPath, [join(root, 'bin', 'edge-prune.js')], { encoding: 'utf8', env: { ...base, ...env } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'no note when stderr is not a terminal');
  return r.stdout.trim();
}

test('the launcher runs dist/ only when it is at least as new as every file and folder of src/', { timeout: 120_000 }, () => {
  const root = makePackage();
  try {
    assert.equal(launch(root), 'source', 'no build stamp: dist/ is not (fully) built');
    stampBuild(root);
    assert.equal(launch(root), 'dist', 'fresh build');
    assert.equal(launch(root, { EDGE_PRUNE_FROM_SOURCE: '1' }), 'source', 'forced');
    age(join(root, 'src', 'cli', 'other.ts'), 0);
    assert.equal(launch(root), 'source', 'a source file saved after the build');
    stampBuild(root);
    rmSync(join(root, 'src', 'cli', 'other.ts'));
    assert.equal(launch(root), 'source', 'a source file deleted after the build (its folder changed)');
    rmSync(join(root, 'src'), { recursive: true });
    rmSync(join(root, 'dist', '.build-stamp'));
    assert.equal(launch(root), 'dist', 'an installed package has no src/: always dist/');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
