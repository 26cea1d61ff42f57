// Unlabelled images: a flat folder loads as unlabelled data, and distillation alone raises a pruned model's agreement with the original.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { isEdgePruneError } from '../../src/core/errors.ts';
import { loadRunData } from '../../src/data/run-data.ts';
import { finetune } from '../../src/finetune/finetune.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { compareOutputs, measureAgreement, predictImages } from '../../src/runtime/agreement.ts';
import { evaluateAccuracy } from '../../src/runtime/train-eval.ts';
import { reestimateBatchNorm } from '../../src/runtime/train-bn.ts';
import { scoreModel } from '../../src/score/score-model.ts';
import { planFromRatios } from '../../src/search/ratio-plan.ts';
import { makeTempDir, removeDir } from './helpers.ts';

/** Copy the first `perClass` bundled training images of every class into one flat folder (no class folders). */
async function flatFolder(perClass: number): Promise<string> {
  const dir = await makeTempDir('flat');
  for (const cls of (await readdir('samples/data/train')).sort()) {
    for (const f of (await readdir(join('samples/data/train', cls))).sort().slice(0, perClass)) await copyFile(join('samples/data/train', cls, f), join(dir, `${cls}-${f}`));
  }
  return dir;
}

test('agreement compares top-1 classes and centred logits, worked out by hand', () => {
  // Row 1: same argmax, logits shifted by a constant (cosine 1). Row 2: argmax differs, centred logits opposite (cosine −1).
  const a = new Float32Array([1, 2, 3, 3, 2, 1]);
  const b = new Float32Array([11, 12, 13, 1, 2, 3]);
  const r = compareOutputs(a, b, 3);
  assert.equal(r.top1, 0.5);
  assert.ok(Math.abs(r.cosine - 0) < 1e-9, `mean of 1 and −1: ${r.cosine}`);
  assert.equal(r.n, 2);
});

test('a flat folder of images is unlabelled data: no accuracy, and fine-tuning on it distills alone and raises agreement with the unpruned model', async (t) => {
  const dir = await flatFolder(40);
  try {
    const teacher = await readBundle('samples/vgg/model.json');
    const data = await loadRunData(teacher, dir, 0, 128);
    assert.equal(data.unlabelled, true);
    assert.equal(data.train.unlabelled, true);
    assert.equal(data.test.unlabelled, true, 'the split keeps the flag');
    assert.equal(data.train.labels.length + data.test.labels.length, 400);
    await assert.rejects(evaluateAccuracy(teacher, data.test), (e: unknown) => isEdgePruneError(e) && e.code === 'INVALID_DATA', 'accuracy needs labels');

    const analysis = analyzeModel(teacher);
    const scores = scoreModel('fscl', { bundle: teacher, graph: analysis.graph, groups: analysis.groups, seed: 0 });
    const pruned = await reestimateBatchNorm(applyPlan(teacher, analysis.groups, planFromRatios(analysis.groups, scores, 0.5)), data.train, { seed: 0 });
    await assert.rejects(finetune(pruned, { train: data.train, epochs: 1 }), (e: unknown) => isEdgePruneError(e) && e.code === 'INVALID_DATA', 'no labels and no teacher');

    const reference = await predictImages(teacher, data.test);
    const before = await measureAgreement(pruned, reference, data.test);
    const tuned = await finetune(pruned, { train: data.train, validation: data.test, teacher, epochs: 3, batch: 32, learningRate: 0.01, seed: 0 });
    const after = await measureAgreement(tuned.bundle, reference, data.test);
    t.diagnostic(`top-1 agreement ${before.top1.toFixed(3)} → ${after.top1.toFixed(3)}, cosine ${before.cosine.toFixed(3)} → ${after.cosine.toFixed(3)} on ${after.n} held-out images`);
    assert.equal(tuned.summary.accuracyBefore, null, 'no accuracy without labels');
    assert.ok(before.top1 < 0.95, `pruning half the channels changed decisions (agreement ${before.top1})`);
    assert.ok(after.top1 > before.top1, `distillation raised top-1 agreement: ${before.top1.toFixed(3)} → ${after.top1.toFixed(3)}`);
    assert.ok(after.cosine > before.cosine, `and the logit cosine: ${before.cosine.toFixed(3)} → ${after.cosine.toFixed(3)}`);
  } finally {
    await removeDir(dir);
  }
});
