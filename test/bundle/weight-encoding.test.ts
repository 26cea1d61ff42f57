// The source's weight encoding is kept by every writer: a uint8-quantized model stays uint8 and gets smaller when pruned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { writeBundle } from '../../src/bundle/write-bundle.ts';
import { sourceEncoding } from '../../src/bundle/encoding.ts';
import { compareSizes, modelBytesOnDisk } from '../../src/bundle/disk-size.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { scoreModel } from '../../src/score/score-model.ts';
import { planFromRatios } from '../../src/search/ratio-plan.ts';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';

/** Encodings of the float weights of a model.json's manifest. */
async function manifestEncodings(modelJson: string): Promise<Set<string>> {
  const json = JSON.parse(await readFile(modelJson, 'utf8')) as { weightsManifest: { weights: { dtype: string; quantization?: { dtype: string } }[] }[] };
  return new Set(json.weightsManifest.flatMap((g) => g.weights.filter((w) => w.dtype === 'float32').map((w) => w.quantization?.dtype ?? 'float32')));
}

test('a uint8-quantized MobileNetV2 pruned by 30% stays uint8 and gets smaller on disk; float32 output is larger and warned about', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ep-enc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const source = await writeBundle(await readBundle(await ensureFixture('mobilenetv2')), join(dir, 'src'), { weights: 'uint8' });
  const bundle = await readBundle(source);
  assert.equal(sourceEncoding(bundle), 'uint8', 'the manifest\'s encoding is recorded on read');
  const before = analyzeModel(bundle);
  const plan = planFromRatios(before.groups, scoreModel('l1', { bundle, graph: before.graph, groups: before.groups, seed: 0 }), 0.3);
  const pruned = applyPlan(bundle, before.groups, plan);
  const after = analyzeModel(pruned);
  assert.ok(after.cost.params < before.cost.params);

  const kept = await writeBundle(pruned, join(dir, 'kept'));
  assert.deepEqual(await manifestEncodings(kept), new Set(['uint8']));
  const sourceBytes = await modelBytesOnDisk(source);
  const keptBytes = await modelBytesOnDisk(kept);
  assert.ok(keptBytes < sourceBytes, `pruned uint8 ${keptBytes} B < source ${sourceBytes} B`);
  const reread = await readBundle(kept);
  for (const w of reread.weights) {
    const orig = pruned.weights.find((p) => p.name === w.name);
    assert.ok(orig);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of orig.data) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const step = (hi - lo) / 255;
    w.data.forEach((v, i) => assert.ok(Math.abs(v - (orig.data[i] as number)) <= step / 2 + 1e-6, `${w.name}[${i}] re-quantized within half a uint8 step`));
  }

  const wide = await writeBundle(pruned, join(dir, 'wide'), { weights: 'float32' });
  const wideBytes = await modelBytesOnDisk(wide);
  assert.ok(wideBytes > sourceBytes, 'float32 weights outgrow the uint8 source');
  const size = compareSizes({ path: source, bytes: sourceBytes, encoding: 'uint8' }, [{ what: 'model', path: wide, bytes: wideBytes, encoding: 'float32' }], { before: before.cost.params, after: after.cost.params });
  assert.equal(size.warnings.length, 1);
  assert.match(size.warnings[0] as string, /larger than its source.*float32.*uint8.*--weights uint8/);
});

test('a mixed manifest keeps each weight\'s encoding, and a float32 checkpoint remembers the source\'s', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ep-enc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const base = await readBundle(await ensureFixture('chain'));
  const spec = Object.fromEntries(base.weights.map((w, i) => [w.name, i % 2 === 0 ? 'uint8' : 'float16'] as const));
  const mixed = await readBundle(await writeBundle(base, join(dir, 'mixed'), { weights: spec }));
  assert.deepEqual(sourceEncoding(mixed), spec);
  const again = await writeBundle(mixed, join(dir, 'again'));
  assert.deepEqual(sourceEncoding(await readBundle(again)), spec, 'written again weight by weight');

  const checkpoint = await writeBundle(mixed, join(dir, 'ckpt'), { weights: 'float32', rememberSource: true });
  assert.deepEqual(await manifestEncodings(checkpoint), new Set(['float32']));
  assert.deepEqual(sourceEncoding(await readBundle(checkpoint)), spec, 'the checkpoint keeps the source encoding for the final write');
  const plain = await writeBundle(base, join(dir, 'plain'));
  assert.equal(sourceEncoding(await readBundle(plain)), 'float32');
  assert.equal(JSON.parse(await readFile(plain, 'utf8')).userDefinedMetadata, undefined, 'float32 models carry no encoding metadata');
});

test('export keeps a uint8 source uint8 in every format, and --weights float32 overrides it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ep-enc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const bundle = await readBundle(await writeBundle(await readBundle(await ensureFixture('chain')), join(dir, 'src'), { weights: 'uint8' }));
  const kept = await exportBundle(bundle, { formats: ['tfjs', 'tfjs-graph', 'onnx'], outDir: join(dir, 'kept') });
  assert.deepEqual(kept.formats.map((f) => f.precision), ['uint8', 'uint8', 'uint8']);
  assert.deepEqual(kept.encoding, { source: 'uint8', written: 'uint8', chosenBy: 'source' });
  const wide = await exportBundle(bundle, { formats: ['tfjs', 'tfjs-graph', 'onnx'], outDir: join(dir, 'wide'), weights: 'float32' });
  assert.deepEqual(wide.formats.map((f) => f.precision), ['float32', 'float32', 'float32']);
  assert.equal(wide.encoding.chosenBy, 'option');
  wide.formats.forEach((f, i) => assert.ok((kept.formats[i]?.weightBytes ?? Infinity) * 3 < f.weightBytes, `${f.format}: uint8 weights are about 4× smaller`));
});
