// `edge-prune finetune`: recover accuracy after pruning (distillation + cross-entropy), checkpointed and resumable.
import type { Command } from 'commander';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../core/atomic-write.ts';
import { fail } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { ModelBundle } from '../../core/types.ts';
import type { DataSplits } from '../../data/load-data.ts';
import { readClassNames, readNormalization, withEdgePruneMeta, type Normalization } from '../../data/normalization.ts';
import { formatDuration } from '../../finetune/progress.ts';
import { writeBundle } from '../../bundle/write-bundle.ts';
import { loadModelArgument } from '../load-model.ts';
import { createCliLogger } from '../progress.ts';
import { analyzeModel } from '../../analyze/analyze-model.ts';
import type { WeightsChoice } from '../../bundle/encoding.ts';
import { measureSizes, sizeLines, weightsOption } from '../size-output.ts';
import { action, printResult } from '../output.ts';
import { choiceOption, parseNumber } from '../options.ts';
import { TRAINING_BACKEND_NAMES } from '../../runtime/backend-names.ts';

/** Data and normalization flags shared by finetune and eval. */
export interface DataCliOptions {
  data: string;
  mean?: string;
  std?: string;
  scale?: string;
  offset?: string;
  cacheDir?: string;
  cache: boolean;
  backend?: string;
}

/** Add the data, normalization, cache and backend flags to a command. */
export function addDataOptions(command: Command): Command {
  return command
    .requiredOption('--data <path>', 'image folder (one sub-folder per class, or train/ + test/ folders), or IDX files (…-images-idx3-ubyte[.gz])')
    .option('--mean <m,m,m>', 'per-channel mean on the 0..1 scale (with --std); default: the model metadata, else pixels/255')
    .option('--std <s,s,s>', 'per-channel standard deviation on the 0..1 scale (with --mean)')
    .option('--scale <s>', 'input = pixel × scale + offset (pixel 0..255), instead of --mean/--std')
    .option('--offset <o>', 'offset for --scale', '0')
    .option('--cache-dir <dir>', 'decoded-data cache folder (default ~/.cache/edge-prune or $EDGE_PRUNE_CACHE_DIR)')
    .option('--no-cache', 'neither read nor write the decoded-data cache')
    .addOption(choiceOption('--backend <name>', 'training backend (default auto: the fastest available)', TRAINING_BACKEND_NAMES));
}

/** Normalization from the flags, if any was given. */
export function normalizationFromFlags(opts: DataCliOptions): Normalization | undefined {
  const list = (v: string, flag: string): number[] => v.split(',').map((s) => parseNumber(s, flag));
  if (opts.mean !== undefined || opts.std !== undefined) {
    if (opts.mean === undefined || opts.std === undefined) fail('INVALID_ARGUMENT', { expected: '--mean and --std together', found: 'only one of them', where: 'normalization flags', hint: 'e.g. --mean 0.4914,0.4822,0.4465 --std 0.247,0.2435,0.2616' });
    const std = list(opts.std, '--std');
    if (std.some((s) => !(s > 0))) fail('INVALID_ARGUMENT', { expected: 'positive standard deviations', found: opts.std, where: '--std', hint: 'e.g. --std 0.247,0.2435,0.2616' });
    return { mean: list(opts.mean, '--mean'), std };
  }
  if (opts.scale !== undefined) return { scale: parseNumber(opts.scale, '--scale'), offset: parseNumber(opts.offset ?? '0', '--offset') };
  return undefined;
}

/** Load the data for a model (see loadDataForModel) with the CLI's cache flags. */
export async function loadDataFor(bundle: ModelBundle, opts: DataCliOptions, purpose: 'training' | 'evaluation', logger?: Logger): Promise<DataSplits> {
  const { loadDataForModel } = await import('../../data/load-data.ts');
  return loadDataForModel(bundle, opts.data, { purpose, cacheDir: opts.cache ? opts.cacheDir : false, ...(logger ? { logger } : {}) });
}

/** Options of the finetune command. */
interface FinetuneCliOptions extends DataCliOptions {
  teacher?: string;
  epochs: string;
  out: string;
  lr: string;
  batch: string;
  seed: string;
  resume?: boolean;
  valFraction: string;
  augment: boolean;
  temperature: string;
  distillWeight: string;
  weightDecay: string;
  momentum: string;
  checkpointMinutes: string;
  weights?: WeightsChoice;
}

/** Register the finetune command. */
export function register(program: Command): void {
  const command = program
    .command('finetune')
    .description('fine-tune a (pruned) model to recover accuracy: distillation from the teacher + cross-entropy, SGD with momentum, cosine decay')
    .argument('<model.json>', 'the model to fine-tune (usually pruned)')
    .requiredOption('--epochs <n>', 'passes over the training images')
    .requiredOption('--out <dir>', 'folder for the fine-tuned model.json, summary.json and checkpoints/')
    .option('--teacher <model.json>', 'distill from this model (the unpruned one); without it, cross-entropy only')
    .addOption(weightsOption())
    .option('--lr <x>', 'peak learning rate (cosine decay to 0)', '0.01')
    .option('--batch <n>', 'images per step', '64')
    .option('--seed <n>', 'seed of shuffling, augmentation and the validation split', '0')
    .option('--resume', 'continue from the checkpoint in --out (same options required)')
    .option('--val-fraction <f>', 'validation share when the data has no test/ folder', '0.1')
    .option('--no-augment', 'no pad-and-crop / flip augmentation')
    .option('--temperature <t>', 'distillation temperature', '4')
    .option('--distill-weight <a>', 'weight of the distillation term (cross-entropy gets 1 − a)', '0.7')
    .option('--weight-decay <w>', 'L2 weight decay on kernels', '5e-4')
    .option('--momentum <m>', 'SGD momentum', '0.9')
    .option('--checkpoint-minutes <n>', 'also checkpoint inside an epoch this often', '10');
  addDataOptions(command)
    .addHelpText('after', '\nNormalization: read from model.json userDefinedMetadata.edgePrune.normalization ({"mean":[..],"std":[..]} on 0..1 pixels,\nor {"scale":s,"offset":o} on 0..255 pixels); flags override it and are stored in the output model.\n\nExamples:\n  edge-prune finetune pruned/model.json --teacher model.json --data samples/data --epochs 3 --out tuned/\n  edge-prune finetune pruned/model.json --data ~/photos --epochs 10 --out tuned/ --resume')
    .action(
      action(async (modelPath: string, opts: FinetuneCliOptions, cmd: Command) => {
        const global = cmd.optsWithGlobals() as { json?: boolean };
        const logger = createCliLogger(global.json === true);
        const { finetune } = await import('../../finetune/finetune.ts');
        const { trainingSplits } = await import('../../data/load-data.ts');
        const { requireTeacherFits } = await import('../../data/class-check.ts');
        const num = (v: string, flag: string): number => parseNumber(v, flag);
        let bundle = await loadModelArgument(modelPath);
        const teacher = opts.teacher ? await loadModelArgument(opts.teacher) : undefined;
        if (teacher) requireTeacherFits(bundle, teacher);
        const normalization = normalizationFromFlags(opts) ?? readNormalization(bundle) ?? (teacher ? readNormalization(teacher) : undefined);
        if (!normalization) logger.warn('no normalization in the model metadata or flags: using pixels / 255 (see --mean/--std, --scale)');
        const t0 = performance.now();
        const splits = await loadDataFor(bundle, opts, 'training', logger);
        logger.info(`data: ${splits.layout} ${splits.fromCache ? '(from cache) ' : ''}in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        const seed = num(opts.seed, '--seed');
        const { train, validation } = trainingSplits(splits, num(opts.valFraction, '--val-fraction'), seed);
        logger.info(`${train.labels.length} training images, ${validation.labels.length} validation images, ${train.classes.length} classes`);
        const controller = new AbortController();
        const onSignal = (): void => controller.abort();
        process.once('SIGINT', onSignal);
        try {
          if (normalization) bundle = withEdgePruneMeta(bundle, { normalization });
          if (!readClassNames(bundle)) bundle = withEdgePruneMeta(bundle, { classes: train.classes });
          const result = await finetune(bundle, {
            train, validation, epochs: num(opts.epochs, '--epochs'), learningRate: num(opts.lr, '--lr'), batch: num(opts.batch, '--batch'), seed,
            temperature: num(opts.temperature, '--temperature'), distillWeight: num(opts.distillWeight, '--distill-weight'),
            weightDecay: num(opts.weightDecay, '--weight-decay'), momentum: num(opts.momentum, '--momentum'),
            augment: opts.augment ? undefined : false, checkpointDir: join(opts.out, 'checkpoints'), checkpointMinutes: num(opts.checkpointMinutes, '--checkpoint-minutes'), resume: opts.resume === true, signal: controller.signal,
            ...(teacher ? { teacher } : {}), ...(normalization ? { normalization } : {}), ...(opts.backend ? { backend: opts.backend } : {}), logger,
          });
          const s = result.summary;
          const summary = { accuracyBefore: s.accuracyBefore, accuracyAfter: s.accuracyAfter, epochs: s.epochs, seconds: Math.round(s.seconds * 10) / 10, imagesPerSecond: Math.round(s.imagesPerSecond * 10) / 10, backend: s.backend, validationImages: validation.labels.length, interrupted: s.interrupted, history: s.history };
          if (s.interrupted) {
            printResult(global, summary, () => `interrupted after ${s.epochs} epoch(s); checkpoint in ${join(opts.out, 'checkpoints')}; continue with --resume`);
            return 130;
          }
          // Trained in float32; written back in the source's encoding unless --weights says otherwise.
          const modelJson = await writeBundle(result.bundle, opts.out, opts.weights ? { weights: opts.weights } : {});
          await writeJsonAtomic(join(opts.out, 'summary.json'), summary);
          const params = { before: analyzeModel(bundle).cost.params, after: analyzeModel(result.bundle).cost.params };
          const size = await measureSizes(modelPath, bundle, params, [{ what: 'model', path: modelJson, bundle: result.bundle, weights: opts.weights }]);
          const pct = (a: number | null): string => (a === null ? 'n/a' : `${(a * 100).toFixed(2)}%`);
          printResult(global, { ...summary, params, size, model: modelJson, checkpoint: join(opts.out, 'checkpoints') }, () => [`accuracy ${pct(s.accuracyBefore)} → ${pct(s.accuracyAfter)} on ${validation.labels.length} validation images; ${s.epochs} epoch(s) in ${formatDuration(s.seconds)} at ${s.imagesPerSecond.toFixed(0)} img/s on ${s.backend}`, ...sizeLines(size), `wrote ${modelJson}`].join('\n'));
        } finally {
          process.removeListener('SIGINT', onSignal);
        }
      }),
    );
}
