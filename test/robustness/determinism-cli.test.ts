// Determinism on the command line: `prune` and `export` run twice give byte-identical files; a replayed plan gives the same bundle.
// tier: full (spawns the CLI)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFixture } from '../fixtures/build-fixtures.ts';

const roots: string[] = [];
after(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

/** A temporary folder removed after the tests. */
async function tempRoot(prefix: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  roots.push(root);
  return root;
}

/** Run the CLI; fail the test on a non-zero exit. */
function cli(...args: string[]): string {
  const r = spawnSync(process.execPath, ['bin/edge-prune.js', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `edge-prune ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

/** Every file below a folder (relative paths, sorted) with its bytes. */
async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const rel of (await readdir(dir, { recursive: true })).sort()) {
    const bytes = await readFile(join(dir, rel)).catch(() => undefined);
    if (bytes) out.set(rel, bytes);
  }
  return out;
}

/** Assert two output folders hold the same files with the same bytes. */
async function assertSameFolders(a: string, b: string, normalize: (rel: string, bytes: Buffer) => Buffer = (_r, x) => x): Promise<void> {
  const [x, y] = [await snapshot(a), await snapshot(b)];
  assert.deepEqual([...x.keys()], [...y.keys()], 'same files');
  assert.ok(x.size > 0, 'files were written');
  for (const [rel, bytes] of x) assert.ok(normalize(rel, bytes).equals(normalize(rel, y.get(rel) as Buffer)), `${rel} differs between runs`);
}

test('CLI: `edge-prune prune` twice gives byte-identical plan.json, model.json and shards', async () => {
  const root = await tempRoot('ep-determinism-');
  const runs: [string, string[]][] = [
    ['resnet56', ['--ratio', '0.3']],
    ['mobilenetv2', ['--ratio', '0.4', '--criterion', 'random', '--seed', '7', '--round', '4']],
  ];
  for (const [name, args] of runs) {
    const model = await ensureFixture(name as 'resnet56');
    const [a, b] = [join(root, `${name}-a`), join(root, `${name}-b`)];
    cli('prune', model, ...args, '--out', a);
    cli('prune', model, ...args, '--out', b);
    await assertSameFolders(a, b);
  }
  // Replaying a plan reproduces the bundle it came from.
  const replay = join(root, 'resnet56-replay');
  cli('prune', await ensureFixture('resnet56'), '--plan', join(root, 'resnet56-a', 'plan.json'), '--out', replay);
  await assertSameFolders(join(root, 'resnet56-a'), replay);
});

test('CLI: `edge-prune export` twice gives byte-identical bundles (manifest timings aside)', async () => {
  const root = await tempRoot('ep-determinism-export-');
  const pruned = join(root, 'pruned');
  cli('prune', await ensureFixture('inception'), '--ratio', '0.3', '--out', pruned);
  cli('export', join(pruned, 'model.json'), '--out', join(root, 'e1'), '--json');
  cli('export', join(pruned, 'model.json'), '--out', join(root, 'e2'), '--json');
  // manifest.json records how long each export and parity check took; everything else must match.
  const dropTimings = (rel: string, bytes: Buffer): Buffer =>
    rel === 'manifest.json' ? Buffer.from(JSON.stringify(JSON.parse(bytes.toString('utf8'), (k, v) => (/Ms$/.test(k) ? undefined : v)))) : bytes;
  await assertSameFolders(join(root, 'e1'), join(root, 'e2'), dropTimings);
});
