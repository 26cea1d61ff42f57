// Imported graph models go through the rest of the flow: central prune property, export with parity, and the CLI reads them by content.
// tier: full (spawns the CLI)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { importGraphModel } from '../../src/import/graph-model/import-graph-model.ts';
import { ensureFixture, fixtureInputShape, type FixtureName } from '../fixtures/build-fixtures.ts';
import { randomInput } from '../fixtures/random.ts';
import { exportAsGraphModel } from './graph-helpers.ts';
import { assertPruneProperty } from './parity-helpers.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edge-prune-graph-flow-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The graph export of a fixture, imported back. */
async function importedFixture(name: FixtureName): Promise<{ path: string; shape: number[] }> {
  const path = await exportAsGraphModel(await readBundle(await ensureFixture(name)), join(dir, name));
  return { path, shape: [2, ...fixtureInputShape(name)] };
}

describe('imported graph models prune and export', () => {
  for (const name of ['mobilenetv2', 'squeeze-excite', 'inception'] as const) {
    it(`${name}: pruned equals zeroed at consumers; exports to TF.js and ONNX with parity`, async () => {
      const { path, shape } = await importedFixture(name);
      const bundle = await importGraphModel(path);
      await assertPruneProperty(bundle, randomInput(shape, 3), shape, 21);
      const result = await exportBundle(bundle, { formats: ['tfjs', 'onnx'], outDir: join(dir, `${name}-out`) });
      for (const f of result.formats) assert.ok(f.parity.maxAbsDiff <= f.parity.tolerance, `${f.format} parity`);
    });
  }

  it('the CLI analyzes a graph model.json (detected by content)', async () => {
    const { path } = await importedFixture('squeeze-excite');
    const r = spawnSync(process.execPath, ['bin/edge-prune.js', 'analyze', path, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const analysis = JSON.parse(r.stdout) as { groups?: { locked: boolean }[] };
    assert.ok((analysis.groups ?? []).some((g) => !g.locked), 'prunable groups found');
  });

  it('--outputs imports only the sub-graph up to the named node (fewer MACs, that node as the output)', async () => {
    const { path } = await importedFixture('squeeze-excite');
    const full = spawnSync(process.execPath, ['bin/edge-prune.js', 'analyze', path, '--json'], { encoding: 'utf8' });
    assert.equal(full.status, 0, full.stderr);
    const graph = JSON.parse(await readFile(path, 'utf8')) as { modelTopology: { node: { name: string; op: string }[] } };
    const firstConv = graph.modelTopology.node.find((n) => /Conv2D/.test(n.op));
    assert.ok(firstConv, 'the graph model has a convolution');
    const cut = spawnSync(process.execPath, ['bin/edge-prune.js', 'analyze', path, '--outputs', firstConv.name, '--json'], { encoding: 'utf8' });
    assert.equal(cut.status, 0, cut.stderr);
    const macs = (r: string): number => (JSON.parse(r) as { macs: number }).macs;
    assert.ok(macs(cut.stdout) > 0 && macs(cut.stdout) < macs(full.stdout), `cut ${macs(cut.stdout)} < full ${macs(full.stdout)}`);
    const missing = spawnSync(process.execPath, ['bin/edge-prune.js', 'analyze', path, '--outputs', 'no_such_node', '--json'], { encoding: 'utf8' });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stdout, /no_such_node/);
  });
});
