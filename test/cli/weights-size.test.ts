// `prune --json` reports bytes on disk before/after; a uint8 source stays uint8, and --weights float32 warns that the output outgrew it.
// tier: full (spawns the CLI)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { writeBundle } from '../../src/bundle/write-bundle.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';

/** Run the CLI and capture its output. */
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/edge-prune.js', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('prune keeps a uint8 source uint8 and smaller; --weights float32 is larger and says why', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ep-size-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const source = await writeBundle(await readBundle(await ensureFixture('mobilenetv2')), join(dir, 'src'), { weights: 'uint8' });
  const kept = cli('prune', source, '--ratio', '0.3', '--out', join(dir, 'kept'), '--json');
  assert.equal(kept.code, 0, kept.stderr);
  const k = JSON.parse(kept.stdout) as { params: { before: number; after: number }; size: { source: { bytes: number; encoding: string }; written: { bytes: number; encoding: string }[]; warnings: string[] } };
  assert.equal(k.size.source.encoding, 'uint8');
  assert.equal(k.size.written[0]?.encoding, 'uint8');
  assert.ok((k.size.written[0]?.bytes ?? Infinity) < k.size.source.bytes && k.params.after < k.params.before);
  assert.deepEqual(k.size.warnings, []);

  const wide = cli('prune', source, '--ratio', '0.3', '--weights', 'float32', '--out', join(dir, 'wide'));
  assert.equal(wide.code, 0, wide.stderr);
  assert.match(wide.stdout, /size .*\(uint8\) → .*\(float32\) model/);
  assert.match(wide.stdout, /warning: model .* is larger than its source .*float32.*uint8/);
});
