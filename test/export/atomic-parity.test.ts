// The output folder is never half-written (failures, refusals, a killed process); parity figures and PARITY_FAILED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isEdgePruneError } from '../../src/core/errors.ts';
import { writeFolderAtomically } from '../../src/export/atomic-dir.ts';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { assertParity, compareOutputs, convertNchwToNhwc, convertNhwcToNchw, createSeededInput } from '../../src/export/parity.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';
import { tempFolder } from './helpers.ts';

test('a failing fill leaves neither the output folder nor a temporary folder', async () => {
  const { dir, cleanup } = await tempFolder('atomic');
  try {
    const out = join(dir, 'out');
    await assert.rejects(
      writeFolderAtomically(out, async (tmp) => {
        await writeFile(join(tmp, 'half.bin'), 'x');
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await cleanup();
  }
});

test('a folder that is not an edge-prune export is refused before any work; a previous export is replaced whole, byte-identically', async () => {
  const { dir, cleanup } = await tempFolder('replace');
  try {
    const bundle = await readBundle(await ensureFixture('chain'));
    const foreign = join(dir, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    await assert.rejects(exportBundle(bundle, { formats: ['onnx'], outDir: foreign }), (e: unknown) => isEdgePruneError(e) && e.code === 'IO_ERROR');
    assert.equal(await readFile(join(foreign, 'notes.txt'), 'utf8'), 'mine');

    const out = join(dir, 'out');
    const first = await exportBundle(bundle, { formats: ['tfjs', 'onnx'], outDir: out });
    const second = await exportBundle(bundle, { formats: ['onnx'], outDir: out });
    assert.deepEqual((await readdir(out)).sort(), ['manifest.json', 'onnx'], 'the second export replaced the first whole');
    assert.deepEqual(second.formats[0]?.files, first.formats[1]?.files, 'the same bundle gives byte-identical ONNX');
    assert.deepEqual((await readdir(dir)).sort(), ['foreign', 'out'], 'no temporary folders left');
  } finally {
    await cleanup();
  }
});

test('a killed export leaves no bundle that looks whole', async () => {
  const { dir, cleanup } = await tempFolder('killed');
  try {
    await ensureFixture('resnet56');
    const out = join(dir, 'out');
    const child = spawn(process.execPath, ['--import', 'tsx', join(dirname(fileURLToPath(import.meta.url)), 'export-child.ts'), out], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Wait until the export has written files into its temporary folder, then kill it hard.
    const writing = async (): Promise<boolean> => {
      const tmp = (await readdir(dir)).find((n) => n.startsWith('.out.tmp-'));
      return tmp !== undefined && (await readdir(join(dir, tmp)).catch(() => [])).length > 0;
    };
    for (let i = 0; i < 3000 && !(await writing()); i++) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    if (existsSync(out)) {
      // The export finished before the kill: then it must be complete.
      const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { formats: { files: { path: string; bytes: number }[] }[] };
      for (const f of manifest.formats) for (const file of f.files) assert.equal((await stat(join(out, file.path))).size, file.bytes);
    } else {
      assert.ok((await readdir(dir)).every((n) => n.startsWith('.out.tmp-')), 'only a hidden temporary folder remains');
    }
  } finally {
    await cleanup();
  }
});

test('parity figures follow the stated tolerances; beyond them PARITY_FAILED names the format and figures', () => {
  const ref = [Float32Array.of(0.5, -2, 3, 0.1, 0.2, 0.3)];
  const near = [Float32Array.of(0.5, -2, 3.0002, 0.1, 0.2, 0.3)];
  const f32 = compareOutputs(ref, near, { precision: 'float32', runtime: 'test', samples: 2, seed: 1, lastAxis: [3] });
  assert.ok(f32.passed);
  assert.equal(f32.tolerance, 1e-4 * 3);
  assert.equal(f32.top1Agreement, 1);
  const far = [Float32Array.of(0.5, -2, 3.01, 0.1, 0.35, 0.3)];
  const bad = compareOutputs(ref, far, { precision: 'float32', runtime: 'test', samples: 2, seed: 1, lastAxis: [3] });
  assert.ok(!bad.passed);
  assert.equal(bad.top1Agreement, 0.5);
  assert.throws(() => assertParity(bad, 'onnx'), (e: unknown) => isEdgePruneError(e) && e.code === 'PARITY_FAILED' && /onnx/.test(e.message));
  assert.ok(compareOutputs(ref, far, { precision: 'uint8', runtime: 'test', samples: 2, seed: 1, lastAxis: [3] }).passed, 'uint8 tolerance is 0.1·scale');
  const nan = compareOutputs(ref, [Float32Array.of(NaN, -2, 3, 0.1, 0.2, 0.3)], { precision: 'uint8', runtime: 'test', samples: 2, seed: 1, lastAxis: [3] });
  assert.ok(!nan.passed, 'NaN never passes');
});

test('seeded inputs repeat; NHWC ↔ NCHW permutations are inverse', () => {
  assert.deepEqual(createSeededInput(24, 7), createSeededInput(24, 7));
  assert.notDeepEqual(createSeededInput(24, 7), createSeededInput(24, 8));
  const x = createSeededInput(2 * 3 * 4 * 5, 1);
  assert.deepEqual(convertNchwToNhwc(convertNhwcToNchw(x, [2, 3, 4, 5]), [2, 3, 4, 5]), x);
  const nchw = convertNhwcToNchw(x, [2, 3, 4, 5]);
  assert.equal(nchw[((1 * 5 + 2) * 3 + 1) * 4 + 3], x[((1 * 3 + 1) * 4 + 3) * 5 + 2]);
});
