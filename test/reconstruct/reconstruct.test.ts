// Reconstruction: it lowers the pruned model's output error against the unpruned model (depthwise + Add, Concat fixtures), and leaves an unpruned model as it was.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import type { ModelBundle, PrunePlan } from '../../src/core/types.ts';
import { selectImages, type ImageDataset } from '../../src/data/dataset.ts';
import { loadImageFolder } from '../../src/data/image-folder.ts';
import { DEFAULT_NORMALIZATION, normalizationTable } from '../../src/data/normalization.ts';
import { fillBatch } from '../../src/data/batches.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { reconstruct } from '../../src/reconstruct/reconstruct.ts';
import { ridgeSolve } from '../../src/reconstruct/ridge.ts';
import { predict } from '../../src/runtime/layers-model.ts';
import { scoreModel } from '../../src/score/score-model.ts';
import { planFromRatios } from '../../src/search/ratio-plan.ts';
import { ensureFixture, fixtureInputShape, type FixtureName } from '../fixtures/build-fixtures.ts';
import { SAMPLE_DATA } from '../helpers/sample-data.ts';

/** 96 real images at the fixture's input size: 64 to fit on, 32 held out. */
async function images(name: FixtureName): Promise<{ fit: ImageDataset; held: ImageDataset }> {
  const [h, w] = fixtureInputShape(name) as [number, number];
  const all = (await loadImageFolder(join(SAMPLE_DATA, 'test'), { size: [h, w], channels: 3 })).dataset;
  const pick = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => (from + i) * 10);
  return { fit: selectImages(all, pick(0, 64)), held: selectImages(all, pick(64, 32)) };
}

/** Mean squared difference of two bundles' outputs on a dataset. */
async function outputError(a: ModelBundle, b: ModelBundle, data: ImageDataset): Promise<number> {
  const n = data.labels.length;
  const x = new Float32Array(n * data.shape[0] * data.shape[1] * data.shape[2]);
  fillBatch(data, Int32Array.from({ length: n }, (_, i) => i), normalizationTable(DEFAULT_NORMALIZATION, 3), x);
  const [ya, yb] = [await predict(a, x, [n, ...data.shape]), await predict(b, x, [n, ...data.shape])];
  let sum = 0;
  for (let i = 0; i < ya.length; i++) sum += ((ya[i] as number) - (yb[i] as number)) ** 2;
  return sum / ya.length;
}

describe('reconstruct', () => {
  for (const name of ['mobilenetv2', 'inception'] as FixtureName[]) {
    it(`${name}: refitted layers are closer to the unpruned model than the pruned ones, on held-out images too`, async () => {
      const original = await readBundle(await ensureFixture(name));
      const analysis = analyzeModel(original);
      const plan = planFromRatios(analysis.groups, scoreModel('l1', { bundle: original, graph: analysis.graph, groups: analysis.groups, seed: 1 }), 0.5);
      const pruned = applyPlan(original, analysis.groups, plan);
      const { fit, held } = await images(name);
      const result = await reconstruct(original, pruned, analysis.groups, plan, fit, { images: 64, seed: 1 });
      const kinds = new Set(result.layers.map((l) => l.kind));
      assert.ok(kinds.has('conv') && kinds.has('dense') && (name !== 'mobilenetv2' || kinds.has('depthwise')), `refitted kinds: ${[...kinds].join(', ')}`);
      for (const l of result.layers) assert.ok(l.errorAfter <= l.errorBefore + 1e-9, `${l.layer}: ${l.errorBefore} → ${l.errorAfter}`);
      const [before, after] = [await outputError(original, pruned, held), await outputError(original, result.bundle, held)];
      assert.ok(after < before, `held-out output error ${before} → ${after}`);
    });
  }

  it('a plan that keeps every channel reconstructs the model to itself', async () => {
    const original = await readBundle(await ensureFixture('mobilenetv2'));
    const analysis = analyzeModel(original);
    const plan: PrunePlan = { version: 1, criterion: 'none', groups: analysis.groups.filter((g) => !g.locked).map((g) => ({ id: g.id, size: g.size, drop: [] })) };
    const { fit } = await images('mobilenetv2');
    const result = await reconstruct(original, applyPlan(original, analysis.groups, plan), analysis.groups, plan, fit, { images: 64, seed: 2 });
    assert.ok(result.layers.length > 5);
    for (const w of original.weights) {
      const r = result.bundle.weights.find((x) => x.name === w.name);
      assert.ok(r);
      let worst = 0;
      for (let i = 0; i < w.data.length; i++) worst = Math.max(worst, Math.abs((w.data[i] as number) - (r.data[i] as number)));
      assert.ok(worst <= 1e-4, `${w.name}: max |Δ| ${worst}`);
    }
  });

  it('ridgeSolve recovers exact weights from exact normal equations and shrinks toward the prior as the ridge grows', () => {
    const [n, m, rows] = [3, 2, 10];
    const x = Array.from({ length: rows * n }, (_, i) => Math.sin(i * 1.7) + (i % n === 0 ? 1 : 0));
    const w = [0.5, -1, 2, 0.25, -0.75, 1.5];
    const gram = new Float64Array(n * n);
    const cross = new Float64Array(n * m);
    for (let r = 0; r < rows; r++) {
      const y = [0, 1].map((c) => [0, 1, 2].reduce((s, k) => s + (x[r * n + k] as number) * (w[k * m + c] as number), 0));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) (gram[i * n + j] as number) += (x[r * n + i] as number) * (x[r * n + j] as number);
        for (let c = 0; c < m; c++) (cross[i * m + c] as number) += (x[r * n + i] as number) * (y[c] as number);
      }
    }
    const prior = new Float64Array(n * m);
    const exact = ridgeSolve(gram, cross, prior, n, m, 1e-12);
    exact.forEach((v, i) => assert.ok(Math.abs(v - (w[i] as number)) < 1e-6, `w[${i}] ${v}`));
    const strong = ridgeSolve(gram, cross, prior, n, m, 1e3);
    assert.ok(strong.every((v) => Math.abs(v) < 0.05), `strong ridge: ${[...strong].join(', ')}`);
  });
});
