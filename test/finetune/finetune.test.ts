// The fine-tune loop: a pruned sample's loss drops, an interrupted run resumes to the uninterrupted result.
// tier: full (fine-tunes the VGG sample for epochs)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { isEdgePruneError } from '../../src/core/errors.ts';
import { fillBatch } from '../../src/data/batches.ts';
import { sampleDataset, type ImageDataset } from '../../src/data/dataset.ts';
import { finetune } from '../../src/finetune/finetune.ts';
import { loadImageFolder } from '../../src/data/image-folder.ts';
import { normalizationTable, readNormalization } from '../../src/data/normalization.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { scoreModel } from '../../src/score/score-model.ts';
import { planFromRatios } from '../../src/search/ratio-plan.ts';
import { createTrainer } from '../../src/runtime/training.ts';
import { makeTempDir, makeTinyCnn, removeDir } from './helpers.ts';
import { SAMPLE_DATA } from '../helpers/sample-data.ts';

const SAMPLE = fileURLToPath(new URL('../../samples/vgg/model.json', import.meta.url));

let decoded: Promise<{ train: ImageDataset; test: ImageDataset }> | undefined;

/** The bundled training and test subsets (decoded once per file, without the on-disk cache). */
function sampleData(): Promise<{ train: ImageDataset; test: ImageDataset }> {
  decoded ??= (async () => {
    const train = (await loadImageFolder(join(SAMPLE_DATA, 'train'), { size: [32, 32], cacheDir: false })).dataset;
    const test = (await loadImageFolder(join(SAMPLE_DATA, 'test'), { size: [32, 32], cacheDir: false })).dataset;
    return { train, test };
  })();
  return decoded;
}

test('fine-tuning the FSCL-pruned VGG sample for a few steps lowers its loss', async () => {
  assert.ok(existsSync(SAMPLE), `${SAMPLE} exists`);
  const teacher = await readBundle(SAMPLE);
  const analysis = analyzeModel(teacher);
  const scores = scoreModel('fscl', { bundle: teacher, graph: analysis.graph, groups: analysis.groups, seed: 0 });
  const pruned = applyPlan(teacher, analysis.groups, planFromRatios(analysis.groups, scores, 0.3));
  assert.ok(analyzeModel(pruned).cost.macs < 0.6 * analysis.cost.macs);
  const { train, test: held } = await sampleData();
  const probe = sampleDataset(held, 256, 2);
  const input = new Float32Array(256 * 3072);
  fillBatch(probe, Array.from({ length: 256 }, (_, i) => i), normalizationTable(readNormalization(teacher) ?? { scale: 1 / 255 }, 3), input);
  const lossOf = async (bundle: typeof teacher): Promise<number> => {
    const trainer = await createTrainer(bundle, { teacher });
    try {
      return trainer.loss(input, probe.labels);
    } finally {
      trainer.dispose();
    }
  };
  const before = await lossOf(pruned);
  const { bundle: tuned, summary } = await finetune(pruned, { train: sampleDataset(train, 640, 4), teacher, epochs: 1, batch: 64, learningRate: 0.01, seed: 1 });
  const after = await lossOf(tuned);
  assert.equal(summary.epochs, 1);
  assert.ok(after < before, `held-out distillation loss ${before.toFixed(4)} → ${after.toFixed(4)}`);
});

test('an interrupted run resumes from its checkpoint to the same weights as an uninterrupted run', async () => {
  const { train, test: held } = await sampleData();
  const options = { train: sampleDataset(train, 192, 5), validation: sampleDataset(held, 64, 6), epochs: 2, batch: 32, learningRate: 0.05, seed: 3 };
  const bundle = await makeTinyCnn(7);
  const dirA = await makeTempDir('ckpt-a');
  const dirB = await makeTempDir('ckpt-b');
  try {
    const whole = await finetune(bundle, { ...options, checkpointDir: dirA });
    assert.equal(whole.summary.history.length, 2);
    assert.ok(existsSync(join(dirA, 'e2-s0', 'model.json')));

    const controller = new AbortController();
    const stop = { info: () => undefined, warn: () => undefined, progress: (e: { task: string; done: number }) => (e.task === 'epoch 2/2' && e.done === 2 ? controller.abort() : undefined) };
    const cut = await finetune(bundle, { ...options, checkpointDir: dirB, signal: controller.signal, logger: stop });
    assert.equal(cut.summary.interrupted, true);
    assert.ok(existsSync(join(dirB, 'e1-s2', 'state.json')), 'a mid-epoch checkpoint was written');
    const resumed = await finetune(bundle, { ...options, checkpointDir: dirB, resume: true });
    assert.equal(resumed.summary.interrupted, false);
    assert.equal(resumed.summary.history.length, 2);
    for (const w of whole.bundle.weights) {
      const r = resumed.bundle.weights.find((x) => x.name === w.name)?.data as Float32Array;
      let max = 0;
      for (let i = 0; i < w.data.length; i++) max = Math.max(max, Math.abs((w.data[i] as number) - (r[i] as number)));
      assert.ok(max <= 1e-5, `${w.name} differs by ${max}`);
    }
    assert.equal(resumed.summary.accuracyAfter, whole.summary.accuracyAfter);

    await assert.rejects(() => finetune(bundle, { ...options, learningRate: 0.1, checkpointDir: dirB, resume: true }), (e: unknown) => isEdgePruneError(e) && e.code === 'INVALID_ARGUMENT');
  } finally {
    await removeDir(dirA);
    await removeDir(dirB);
  }
});
