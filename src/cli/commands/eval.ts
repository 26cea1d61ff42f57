// `edge-prune eval`: top-1 accuracy of a model on an image folder or IDX files.
import type { Command } from 'commander';
import { readNormalization } from '../../data/normalization.ts';
import { loadModelArgument } from '../load-model.ts';
import { parseNumber } from '../options.ts';
import { action, printResult } from '../output.ts';
import { createCliLogger } from '../progress.ts';
import { addDataOptions, loadDataFor, normalizationFromFlags, type DataCliOptions } from './finetune.ts';

/** Options of the eval command. */
interface EvalCliOptions extends DataCliOptions {
  batch: string;
}

/** Register the eval command. */
export function register(program: Command): void {
  const command = program
    .command('eval')
    .description('measure top-1 accuracy on labelled images (the test/ or val/ folder when the data has one)')
    .argument('<model.json>', 'a TF.js Layers classifier')
    .option('--batch <n>', 'images per forward pass', '256');
  addDataOptions(command)
    .addHelpText('after', '\nExamples:\n  edge-prune eval samples/vgg/model.json --data samples/data --json\n  edge-prune eval model.json --data t10k-images-idx3-ubyte.gz --scale 0.00392157')
    .action(
      action(async (modelPath: string, opts: EvalCliOptions, cmd: Command) => {
        const global = cmd.optsWithGlobals() as { json?: boolean };
        const logger = createCliLogger(global.json === true);
        const { evaluationSplit } = await import('../../data/load-data.ts');
        const { evaluateAccuracy } = await import('../../runtime/train-eval.ts');
        const bundle = await loadModelArgument(modelPath);
        const normalization = normalizationFromFlags(opts) ?? readNormalization(bundle);
        if (!normalization) logger.warn('no normalization in the model metadata or flags: using pixels / 255 (see --mean/--std, --scale)');
        const data = evaluationSplit(await loadDataFor(bundle, opts, 'evaluation', logger));
        const result = await evaluateAccuracy(bundle, data, {
          batch: parseNumber(opts.batch, '--batch'),
          ...(normalization ? { normalization } : {}),
          ...(opts.backend ? { backend: opts.backend } : {}),
          logger,
        });
        printResult(global, { accuracy: result.accuracy, n: result.n }, () => `accuracy ${(result.accuracy * 100).toFixed(2)}% on ${result.n} images (${data.source})`);
      }),
    );
}
