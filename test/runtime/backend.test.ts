// initBackend: choices, errors, thread count of the wasm build, and the offline setup script's contract.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { EdgePruneError } from '../../src/core/errors.ts';
import { getTf, initBackend, type BackendPreference } from '../../src/runtime/backend.ts';

/** Runs a snippet in a fresh Node process (each backend choice needs its own tfjs state). */
function runSnippet(code: string, env: Record<string, string> = {}): { status: number | null; out: string; last: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, last: r.stdout.trim().split('\n').pop() ?? '' };
}

describe('initBackend', () => {
  it('rejects an unknown choice with INVALID_ARGUMENT that lists the accepted ones', async () => {
    await assert.rejects(initBackend('gpu' as BackendPreference), (e: unknown) => {
      assert.ok(e instanceof EdgePruneError && e.code === 'INVALID_ARGUMENT', String(e));
      assert.equal(e.expected, 'one of auto, tfjs-node, wasm, cpu');
      assert.equal(e.found, 'gpu');
      return true;
    });
  });

  it('selects cpu when asked and returns the shared tf namespace', async () => {
    const info = await initBackend('cpu');
    assert.equal(info.name, 'cpu');
    assert.equal(getTf().getBackend(), 'cpu');
    assert.match(info.note, /cpu/);
  });

  it('loads the threaded wasm build with two threads on a multi-core machine', () => {
    const r = runSnippet(`
      import { initBackend } from './src/runtime/backend.ts';
      import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
      const info = await initBackend('wasm');
      console.log(JSON.stringify({ ...info, actual: getThreadsCount() }));`, { EDGE_PRUNE_THREADS: '2' });
    assert.equal(r.status, 0, r.out);
    const info = JSON.parse(r.last);
    assert.equal(info.name, 'wasm');
    assert.equal(info.threads, 2);
    assert.equal(info.actual, 2, 'XNNPACK thread pool size');
  });

  it('auto takes tfjs-node when its binding loads, else wasm', () => {
    const probe = spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
    const r = runSnippet(`
      import { initBackend } from './src/runtime/backend.ts';
      console.log(JSON.stringify(await initBackend('auto')));`);
    assert.equal(r.status, 0, r.out);
    const info = JSON.parse(r.last);
    assert.equal(info.name, probe.status === 0 ? 'tfjs-node' : 'wasm');
  });
});

describe('scripts/setup-tfjs-node.mjs', () => {
  const bindingLoads = spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } }).status === 0;

  it('reports a loading binding in one line and exits 0', (t) => {
    if (!bindingLoads) return t.skip('the binding is not built here; building it takes minutes (run the script by hand)');
    const r = spawnSync(process.execPath, ['scripts/setup-tfjs-node.mjs'], { encoding: 'utf8', timeout: 600_000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    assert.match(lines[0]!, /^edge-prune setup-tfjs-node: tfjs-node binding loads \(TF [\d.]+\); training uses tfjs-node/);
  });

  it('never fails: without tfjs-node installed it exits 0 and names the fallback backend', () => {
    // A copy of the script in a folder with no node_modules, no pip on PATH and an empty cache.
    const dir = mkdtempSync(join(tmpdir(), 'edge-prune-setup-'));
    try {
      mkdirSync(join(dir, 'scripts'));
      cpSync('scripts/setup-tfjs-node.mjs', join(dir, 'scripts', 'setup-tfjs-node.mjs'));
      cpSync('scripts/tfjs-node', join(dir, 'scripts', 'tfjs-node'), { recursive: true });
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      const r = spawnSync(process.execPath, [join(dir, 'scripts', 'setup-tfjs-node.mjs')], {
        encoding: 'utf8', cwd: dir, env: { PATH: dirname(process.execPath), EDGE_PRUNE_CACHE: join(dir, 'cache') }, timeout: 120_000,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
      assert.match(r.stdout, /training will use the wasm backend/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a skip without touching anything when EDGE_PRUNE_SKIP_TF_SETUP is set', () => {
    const r = spawnSync(process.execPath, ['scripts/setup-tfjs-node.mjs'], { encoding: 'utf8', env: { ...process.env, EDGE_PRUNE_SKIP_TF_SETUP: '1' } });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /skipped/);
  });
});
