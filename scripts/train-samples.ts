// Trains the bundled samples (samples/vgg, samples/resnet) on CIFAR-10, seeded, checkpointing and resumable.
//
//   node --import tsx scripts/train-samples.ts vgg|resnet [--epochs N] [--data ../shared/datasets/cifar10]
//        [--work .cache/train-samples] [--backend tensorflow|wasm|cpu] [--fresh] [--limit N --out DIR (smoke runs)]
//
// Stop it at any time (Ctrl-C / SIGTERM writes a checkpoint first); running it again resumes.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeModel } from '../src/analyze/analyze-model.ts';
import { writeJsonAtomic } from '../src/core/atomic-write.ts';
import type { Logger } from '../src/core/logger.ts';
import { sampleDataset } from '../src/data/dataset.ts';
import { finetune } from '../src/finetune/finetune.ts';
import { loadImageFolder } from '../src/data/image-folder.ts';
import { withEdgePruneMeta } from '../src/data/normalization.ts';
import { formatDuration } from '../src/finetune/progress.ts';
import { readBundle } from '../src/bundle/read-bundle.ts';
import { writeBundle } from '../src/bundle/write-bundle.ts';
import { ensureTrainingBackend } from '../src/runtime/train-backend.ts';
import { evaluateAccuracy } from '../src/runtime/train-eval.ts';
import { buildSampleResnet, buildSampleVgg, initializeWeights, toBundle } from './sample-architectures.ts';

/** CIFAR-10 channel means and standard deviations (0..1 scale) of the training set. */
const CIFAR_NORMALIZATION = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };

/** Training recipe of each sample. */
const RECIPES = {
  vgg: { build: () => buildSampleVgg(), epochs: 40, learningRate: 0.05, batch: 64, weightDecay: 5e-4, warmupEpochs: 1, seed: 1 },
  resnet: { build: () => buildSampleResnet(3), epochs: 15, learningRate: 0.05, batch: 64, weightDecay: 5e-4, warmupEpochs: 1, seed: 2 },
} as const;

type SampleName = keyof typeof RECIPES;

/** Plain log lines (the log is a file): progress at most every 30 s. */
function lineLogger(tag: string): Logger {
  let last = 0;
  const stamp = (): string => new Date().toISOString().slice(0, 19);
  return {
    info: (m) => console.log(`${stamp()} [${tag}] ${m}`),
    warn: (m) => console.log(`${stamp()} [${tag}] warning: ${m}`),
    progress: (e) => {
      if (Date.now() - last < 30_000 && e.done !== e.total) return;
      last = Date.now();
      console.log(`${stamp()} [${tag}] ${e.task} ${e.done}/${e.total} ${e.detail ?? ''}`);
    },
  };
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    epochs: { type: 'string' },
    data: { type: 'string', default: '../shared/datasets/cifar10' },
    work: { type: 'string', default: '.cache/train-samples' },
    backend: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    limit: { type: 'string' },
    out: { type: 'string' },
  },
});
const name = (positionals[0] ?? 'vgg') as SampleName;
if (!(name in RECIPES)) throw new Error(`unknown sample ${name}; use vgg or resnet`);
const recipe = RECIPES[name];
const epochs = values.epochs ? Number(values.epochs) : recipe.epochs;
const logger = lineLogger(name);
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    logger.info(`${signal}: checkpointing after the current step, then stopping`);
    controller.abort();
  });
}

const backend = await ensureTrainingBackend(values.backend);
logger.info(`training backend: ${backend}`);
const t0 = performance.now();
const train = await loadImageFolder(join(values.data, 'train'), { size: [32, 32], channels: 3, logger });
const test = await loadImageFolder(join(values.data, 'test'), { size: [32, 32], channels: 3, logger });
logger.info(`data: ${train.dataset.labels.length} train, ${test.dataset.labels.length} test images in ${((performance.now() - t0) / 1000).toFixed(1)} s (cache: ${train.fromCache}/${test.fromCache})`);

const model = recipe.build();
const initial = withEdgePruneMeta(initializeWeights(await toBundle(model), recipe.seed), { normalization: CIFAR_NORMALIZATION, classes: train.dataset.classes });
model.dispose();
const cost = analyzeModel(initial).cost;
logger.info(`${name}: ${cost.macs} MACs, ${cost.params} params; ${epochs} epochs, lr ${recipe.learningRate}, batch ${recipe.batch}, seed ${recipe.seed}`);

const checkpointDir = join(values.work, name);
await mkdir(checkpointDir, { recursive: true });
const trainData = values.limit ? sampleDataset(train.dataset, Number(values.limit), 3) : train.dataset;
const { bundle, summary } = await finetune(initial, {
  train: trainData,
  validation: sampleDataset(test.dataset, 2000, 7),
  epochs,
  learningRate: recipe.learningRate,
  warmupEpochs: recipe.warmupEpochs,
  batch: recipe.batch,
  seed: recipe.seed,
  weightDecay: recipe.weightDecay,
  checkpointDir,
  resume: !values.fresh,
  checkpointMinutes: 10,
  signal: controller.signal,
  logger,
  ...(values.backend ? { backend: values.backend } : {}),
});
if (summary.interrupted) {
  logger.info(`stopped after ${summary.epochs} epoch(s); run again to resume`);
  process.exit(0);
}
const outDir = values.out ?? join('samples', name);
await writeBundle(bundle, outDir, { weights: 'float16' });
// The accuracy of the model as stored (float16 weights), on the full test folder.
const full = await evaluateAccuracy(await readBundle(join(outDir, 'model.json')), test.dataset, { ...(values.backend ? { backend: values.backend } : {}) });
await writeJsonAtomic(join(outDir, 'training.json'), {
  sample: name,
  macs: cost.macs,
  params: cost.params,
  testAccuracy: full.accuracy,
  testImages: full.n,
  epochs: summary.epochs,
  trainingSeconds: Math.round(summary.seconds),
  trainingTime: formatDuration(summary.seconds),
  imagesPerSecond: Math.round(summary.imagesPerSecond),
  backend: summary.backend,
  recipe: { ...recipe, build: undefined, epochs },
  history: summary.history,
  command: `node --import tsx scripts/train-samples.ts ${name}`,
});
logger.info(`done: test accuracy ${(full.accuracy * 100).toFixed(2)}% on ${full.n} images; wrote ${outDir}`);
