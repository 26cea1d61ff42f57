// The plan's encoding (library): a size budget pruning cannot meet at the latency budget is met by quantized weights; one pruning meets keeps the source's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { writeBundle } from '../../src/bundle/write-bundle.ts';
import { modelBytesOnDisk } from '../../src/bundle/disk-size.ts';
import { MB } from '../../src/latency/memory.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';
import { planSearch } from '../../src/search/plan-search.ts';
import { planEncodingOf } from '../../src/search/encoding-choice.ts';

const MODEL = 'samples/vgg/model.json';

/** The sample VGG on the host target, with a latency budget that needs pruning (global search: no candidate evaluations). */
async function setup() {
  const bundle = await readBundle(MODEL);
  const analysis = analyzeModel(bundle);
  const target = loadTarget('host');
  const base = await planSearch({ bundle, analysis, target, mode: 'global', budget: { latencyMs: 1, modelSizeMb: 1000 } });
  return { bundle, analysis, target, base };
}

test('a size budget pruning for latency cannot meet is met by an encoding; the written model meets it on disk', async () => {
  const { bundle, analysis, target, base } = await setup();
  const source = planEncodingOf(bundle);
  assert.equal(base.encoding.chosen, source, 'no size pressure: the source encoding');
  assert.ok(base.original.latencyMs > 1 && base.predicted.latencyMs <= 1, 'the latency budget needs pruning');
  const prunedSize = base.predicted.modelSizeMb;
  // Below the pruned size in the source encoding, above it in uint8 (a quarter of float32, half of float16).
  const sizeMb = prunedSize * 0.7;
  const out = await mkdtemp(join(tmpdir(), 'ep-encoding-'));
  try {
    const r = await planSearch({ bundle, analysis, target, mode: 'global', budget: { latencyMs: 1, modelSizeMb: sizeMb }, outDir: out });
    assert.equal(r.met, true, r.reason);
    assert.notEqual(r.encoding.chosen, source, 'an encoding was chosen instead of pruning further');
    assert.deepEqual(r.plan.groups, base.plan.groups, 'the channels are the latency plan\'s: no further pruning');
    assert.ok(r.predicted.modelSizeMb <= sizeMb, `predicted ${r.predicted.modelSizeMb} ≤ ${sizeMb}`);
    const byBudget = Object.fromEntries(r.encoding.metBy.map((a) => [a.budget, a.by]));
    assert.equal(byBudget['latencyMs'], 'pruning');
    assert.match(String(byBudget['modelSizeMb']), /encoding/);
    const plan = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8'));
    assert.equal(plan.encoding, r.encoding.chosen, 'plan.json records the encoding');
    const chosen = r.encoding.chosen;
    assert.ok(chosen === 'float16' || chosen === 'uint8');
    const written = await writeBundle(applyPlan(bundle, analysis.groups, plan), join(out, 'model'), { weights: chosen });
    const bytes = await modelBytesOnDisk(written);
    assert.ok(bytes <= sizeMb * MB, `written ${bytes} bytes ≤ ${sizeMb * MB}`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('a size budget the latency pruning already meets keeps the source encoding', async () => {
  const { bundle, analysis, target, base } = await setup();
  const sizeMb = (base.predicted.modelSizeMb + base.original.modelSizeMb) / 2;
  const r = await planSearch({ bundle, analysis, target, mode: 'global', budget: { latencyMs: 1, modelSizeMb: sizeMb } });
  assert.equal(r.met, true);
  assert.equal(r.encoding.chosen, planEncodingOf(bundle));
  assert.equal(r.plan.encoding, undefined, 'a plan in the source encoding stays as older plans were');
  assert.deepEqual(Object.fromEntries(r.encoding.metBy.map((a) => [a.budget, a.by])), { latencyMs: 'pruning', memoryMb: 'already met', modelSizeMb: 'pruning' });
});

test('with --weights the encoding is fixed: a size budget beyond it is met by pruning further', async () => {
  const { bundle, analysis, target, base } = await setup();
  const source = planEncodingOf(bundle);
  const sizeMb = base.predicted.modelSizeMb * 0.7;
  const r = await planSearch({ bundle, analysis, target, mode: 'global', budget: { latencyMs: 1, modelSizeMb: sizeMb }, weights: source });
  assert.equal(r.encoding.chosenBy, 'option');
  assert.equal(r.encoding.chosen, source);
  assert.ok(r.macs.after < base.macs.after, 'pruned further than for latency alone');
});

test('with an accuracy budget a lossy encoding is measured on images with its weights round-tripped, and refused when it loses too much', async () => {
  const { bundle, analysis, target } = await setup();
  const { evaluationSplit, loadDataForModel } = await import('../../src/data/load-data.ts');
  const { sampleDataset } = await import('../../src/data/dataset.ts');
  const { measureAgreement, predictImages } = await import('../../src/runtime/agreement.ts');
  // Top-1 agreement with the unpruned model on 500 of the sample's test images, as the main command measures unlabelled images.
  const images = sampleDataset(evaluationSplit(await loadDataForModel(bundle, 'samples/data', { purpose: 'evaluation' })), 500, 1);
  const reference = await predictImages(bundle, images);
  const evaluate = async (b: typeof bundle): Promise<number> => (await measureAgreement(b, reference, images)).top1;
  // Latency is no constraint, so the candidate is the unpruned model: agreement 1 before the encoding.
  const sizeMb = analysis.cost.params * 1.5 / 2 ** 20;
  const common = { bundle, analysis, target, mode: 'global' as const, evaluate, measure: 'top-1 agreement' as const, force: true };
  const loose = await planSearch({ ...common, budget: { latencyMs: 100, modelSizeMb: sizeMb, maxAccuracyDrop: 0.05 } });
  assert.equal(loose.encoding.chosen, 'uint8');
  assert.equal(loose.macs.after, loose.macs.before, 'no pruning: the encoding met the size budget');
  const check = loose.encoding.check;
  assert.ok(check && check.encoding === 'uint8' && check.pruned === 1 && check.encoded < 1, `the round-tripped candidate was measured: ${JSON.stringify(check)}`);
  const strict = await planSearch({ ...common, budget: { latencyMs: 100, modelSizeMb: sizeMb, maxAccuracyDrop: 0 } });
  assert.equal(strict.encoding.chosen, planEncodingOf(bundle), 'refused: pruned in the source encoding instead');
  assert.ok(strict.encoding.rejected.some((r) => r.encoding === 'uint8' && /drops more than/.test(r.reason)));
  assert.ok(strict.macs.after < strict.macs.before && strict.predicted.modelSizeMb <= sizeMb);
});
