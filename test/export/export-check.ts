// Export one fixture in every format and check what the manifest promises, parity in each runtime and the ONNX golden text.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { printOnnxModel } from '../../src/export/onnx-text.ts';
import { PARITY_TOLERANCE, type ParityFigures } from '../../src/export/parity.ts';
import { ensureFixture, type FixtureName } from '../fixtures/build-fixtures.ts';
import { assertGolden, tempFolder } from './helpers.ts';

/** Per format of one fixture's export: its name and parity figures (the caller asserts parity). */
export type FixtureExportParity = { format: string; parity: ParityFigures }[];

/** Export one fixture in every format, check everything the manifest promises, and return each format's parity. */
export async function checkFixtureExport(name: FixtureName): Promise<FixtureExportParity> {
  const modelJson = await ensureFixture(name);
  const bundle = await readBundle(modelJson);
  const { dir, cleanup } = await tempFolder(`export-${name}`);
  try {
    const outDir = join(dir, 'out');
    const result = await exportBundle(bundle, { formats: ['tfjs', 'tfjs-graph', 'onnx'], outDir });
    for (const f of result.formats) {
      for (const file of f.files) {
        assert.equal((await stat(join(outDir, file.path))).size, file.bytes, file.path);
        if (file.path.endsWith('.bin')) assert.ok(file.bytes <= 4 * 1024 * 1024, `${file.path} is a shard over 4 MiB`);
      }
    }
    const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const { outDir: _ignored, ...facts } = result;
    assert.deepEqual(manifest, JSON.parse(JSON.stringify(facts)));

    // The Layers export reads back byte-identical (float32) through the project's own reader.
    const back = await readBundle(join(outDir, 'tfjs/model.json'));
    assert.equal(back.weights.length, bundle.weights.length);
    back.weights.forEach((w, i) => assert.deepEqual(w.data, bundle.weights[i]?.data, w.name));

    // The graph model is FusedBatchNorm-free and declares itself a graph model.
    const graphJson = JSON.parse(await readFile(join(outDir, 'tfjs-graph/model.json'), 'utf8')) as { format: string; modelTopology: { node: { op: string }[] } };
    assert.equal(graphJson.format, 'graph-model');
    assert.ok(!graphJson.modelTopology.node.some((n) => /BatchNorm/.test(n.op)), 'graph model has no batch-norm op');

    const onnx = result.formats.find((f) => f.format === 'onnx');
    assert.ok(onnx && (onnx.opset ?? 0) >= 13 && onnx.layout === 'nchw');
    await assertGolden(`${name}.onnx.txt`, printOnnxModel(new Uint8Array(await readFile(join(outDir, 'onnx/model.onnx')))));
    return result.formats.map((f) => ({ format: f.format, parity: f.parity }));
  } finally {
    await cleanup();
  }
}


/** Every format was written, matched the source within the float32 tolerance, and agreed on every top-1 class. */
export function assertExportParity(name: string, formats: FixtureExportParity): void {
  assert.deepEqual(formats.map((f) => f.format), ['tfjs', 'tfjs-graph', 'onnx']);
  for (const { format, parity: p } of formats) {
    assert.ok(p.passed && p.maxAbsDiff <= p.tolerance, `${name} ${format}: max diff ${p.maxAbsDiff} > ${p.tolerance}`);
    assert.equal(p.tolerance, PARITY_TOLERANCE.float32 * Math.max(1, p.referenceMaxAbs));
    assert.equal(p.top1Agreement, 1, `${name} ${format}: top-1 agreement`);
  }
}
