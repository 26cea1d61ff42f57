// Small check of the schedules on the bundled data: VGG sample at a −75% MACs cut, one-shot + reconstruction vs gradual (3 steps), same images.
//
//   node --import tsx bench/recovery/schedule-check.ts [epochs=1]
//
// Prints one JSON line per schedule: accuracy on the 1,000 bundled test images after the same fine-tuning budget.
import { join } from 'node:path';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { loadImageFolder } from '../../src/data/image-folder.ts';
import { finetune } from '../../src/finetune/finetune.ts';
import { gradualPrune } from '../../src/pipeline-schedule.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { reconstruct } from '../../src/reconstruct/reconstruct.ts';
import { evaluateAccuracy } from '../../src/runtime/train-eval.ts';
import { scoreModel } from '../../src/score/score-model.ts';
import { planFromRatios } from '../../src/search/ratio-plan.ts';
import { findUniformRatio } from '../criteria/cut.ts';

const epochs = Number(process.argv[2] ?? 1);
const bundle = await readBundle('samples/vgg/model.json');
const analysis = analyzeModel(bundle);
const train = (await loadImageFolder('samples/data/train', { size: [32, 32], channels: 3 })).dataset;
const test = (await loadImageFolder('samples/data/test', { size: [32, 32], channels: 3 })).dataset;
const scores = scoreModel('fscl', { bundle, graph: analysis.graph, groups: analysis.groups, seed: 1 });
const plan = planFromRatios(analysis.groups, scores, findUniformRatio(analysis, 0.75, 8).ratio, 8);
const work = `/tmp/edge-prune-schedule-check-${process.pid}`;

let t0 = performance.now();
const pruned = applyPlan(bundle, analysis.groups, plan);
const recon = await reconstruct(bundle, pruned, analysis.groups, plan, train, { seed: 1 });
const oneshot = await finetune(recon.bundle, { train, teacher: bundle, epochs, seed: 1 });
console.log(JSON.stringify({ schedule: 'oneshot+recon', epochs, accuracy: (await evaluateAccuracy(oneshot.bundle, test)).accuracy, seconds: Math.round((performance.now() - t0) / 1000) }));

t0 = performance.now();
const gradual = await gradualPrune({ original: bundle, groups: analysis.groups, plan, scores, steps: 3, train, epochs, seed: 1, checkpointDir: join(work, 'gradual') });
console.log(JSON.stringify({ schedule: 'iterative:3', epochs, accuracy: (await evaluateAccuracy(gradual.bundle, test)).accuracy, steps: gradual.steps, seconds: Math.round((performance.now() - t0) / 1000) }));
