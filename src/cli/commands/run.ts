// The main command: `edge-prune [model.json] --target <t>` runs the whole flow and writes the run folder.
import { Option, type Command } from 'commander';
import { parseSchedule } from '../../finetune/schedule.ts';
import { EXIT_CODES, action, printResult } from '../output.ts';
import { createCliLogger } from '../progress.ts';
import { addQueueOptions, queueFromFlags, type QueueFlags } from '../queue-options.ts';
import { importFlags } from '../import-flags.ts';
import { addBudgetOptions, budgetFromFlags, choiceOption, numberOption, seedOption, type BudgetFlags } from '../options.ts';
import { CRITERIA } from '../../score/score-model.ts';
import { TRAINING_BACKEND_NAMES } from '../../runtime/backend-names.ts';
import { METHODS } from '../../core/runtime-names.ts';
import { SEARCH_MODES, type SearchMode } from '../../search/search-modes.ts';
import type { WeightsChoice } from '../../bundle/encoding.ts';
import { weightsOption } from '../size-output.ts';


/** Options of the main command. */
interface RunOptions extends BudgetFlags, QueueFlags {
  target: string;
  weights?: WeightsChoice;
  quantize?: 'int8' | 'none';
  data?: string;
  epochs?: number;
  reconstruct: 'on' | 'off';
  finetuneMinutes?: number;
  schedule?: string;
  out?: string;
  criterion: string;
  search: SearchMode;
  method?: 'local' | 'emulated' | 'device' | 'none';
  seed: number;
  backend?: string;
  resume?: boolean;
  lockUnknown?: boolean;
  minAgreement?: number;
  force?: boolean;
}

/** Register the main command (the default when no sub-command is named). */
export function register(program: Command): void {
  const command = program
    .command('run', { isDefault: true })
    .description('prune, fine-tune, export and measure a model for a target (the default command)')
    .argument('[model.json]', 'a TF.js Layers model (default: the bundled VGG-style sample and its data)')
    .requiredOption('--target <name>', 'where the model will run: see `edge-prune targets`');
  addQueueOptions(addBudgetOptions(command))
    .option('--data <path>', 'image folder (class sub-folders, train/ + test/, or a flat folder of unlabelled images) or IDX files, for the search and fine-tuning')
    .addOption(numberOption('--min-agreement <x>', 'without labelled data, stop the search before agreement with the unpruned model falls below x (default 0.9: top-1 agreement on images, logit cosine on seeded inputs)', { min: 0, max: 1 }))
    .option('--force', 'search past the --min-agreement floor (the model may be destroyed; said loudly)')
    .addOption(numberOption('--epochs <n>', 'fine-tuning epochs (default 2; 6 on the bundled sample, see samples/vgg/budgets.json)', { integer: true, min: 0 }))
    .addOption(numberOption('--finetune-minutes <m>', 'a fine-tuning budget in minutes instead of --epochs: the measured training speed chooses the epochs (a subset below one epoch) and the schedule, and the report says what it chose', { min: 0.1 }).conflicts('epochs'))
    .addOption(new Option('--schedule <s>', 'oneshot, or iterative[:steps] (default 3): prune in steps, each refit and briefly distilled, then the long fine-tune in the same budget').argParser((v: string) => (parseSchedule(v), v)))
    .addOption(choiceOption('--reconstruct <on|off>', 'refit the pruned layers by least squares to the unpruned model\'s outputs on 1,024 data images before fine-tuning (needs --data or the sample\'s data)', ['on', 'off'], 'on'))
    .option('--out <dir>', 'run folder (default runs/<target>-<time>)')
    .addOption(choiceOption('--criterion <name>', 'channel ranking', Object.keys(CRITERIA), 'fscl'))
    .addOption(choiceOption('--search <mode>', 'budget search', SEARCH_MODES, 'netadapt'))
    .addOption(choiceOption('--method <m>', 'how to measure (default: the target\'s)', [...METHODS, 'none']))
    .addOption(seedOption())
    .addOption(choiceOption('--backend <name>', 'training backend (default: the fastest available)', TRAINING_BACKEND_NAMES))
    .option('--resume', 'continue an interrupted run in --out')
    .option('--lock-unknown', 'keep unsupported layers unpruned instead of failing')
    .addOption(weightsOption())
    .addOption(choiceOption('--quantize <int8|none>', 'int8: also write the int8 QDQ ONNX (export/onnx-int8/, calibrated on the train split, kept only with top-1 agreement >= 90% with float32 on held-out images); default int8 on targets whose runtime executes int8 (pixel7-onnx) when --data is given, else none', ['int8', 'none']))
    .addHelpText('after', `
Examples:
  edge-prune --target pixel7                                   # the bundled sample, its data and budgets
  edge-prune my/model.json --target pixel7 --data my/images --epochs 5 --out runs/mine
  edge-prune my/model.json --target raspberry-pi-5 --latency-ms 20 --json > report.json
  edge-prune my/model.json --target pixel7 --data my/unlabelled-photos   # a flat folder is enough
  edge-prune my/model.json --target pixel7 --data my/images --finetune-minutes 60 --schedule iterative:3
  edge-prune my/model.json --target pixel7-onnx --data my/images        # also writes the int8 ONNX

The run folder holds plan.json, history.jsonl, model/ (pruned + fine-tuned), export/ (tfjs,
tfjs-graph, onnx, and onnx-int8 on int8 targets), report.json and report.html. Exit 0 when every budget is met, 11 when one is not,
10 when the budget cannot be met: above the agreement floor (without labelled data; the best plan
above it is in plan.json), or at all (even the smallest model misses it; nothing is exported). Without labelled data the verdict says accuracy was NOT checked.`)
    .action(
      action(async (model: string | undefined, opts: RunOptions, cmd: Command) => {
        const { runPipeline } = await import('../../pipeline.ts');
        const globals = cmd.optsWithGlobals();
        const method = opts.method;
        const queue = queueFromFlags(opts);
        const report = await runPipeline({
          target: opts.target,
          ...(model ? { model } : {}),
          ...(opts.data ? { data: opts.data } : {}),
          ...(opts.out ? { outDir: opts.out } : {}),
          ...(method ? { method } : {}),
          ...(opts.backend ? { backend: opts.backend } : {}),
          budget: budgetFromFlags(opts),
          ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
          reconstruct: opts.reconstruct !== 'off',
          ...(opts.finetuneMinutes !== undefined ? { finetuneMinutes: opts.finetuneMinutes } : {}),
          ...(opts.schedule ? { schedule: opts.schedule } : {}),
          criterion: opts.criterion,
          search: opts.search,
          seed: opts.seed,
          ...(opts.resume ? { resume: true } : {}),
          ...(opts.lockUnknown ? { lockUnknown: true } : {}),
          importOptions: importFlags(),
          ...(opts.minAgreement !== undefined ? { minAgreement: opts.minAgreement } : {}),
          ...(opts.force ? { force: true } : {}),
          ...(opts.weights ? { weights: opts.weights } : {}),
          ...(opts.quantize ? { quantize: opts.quantize } : {}),
          ...(queue ? { queue } : {}),
          logger: createCliLogger(globals.json === true),
        });
        const { formatSummary } = await import('../summary.ts');
        printResult(globals, report, () => formatSummary(report));
        return report.budgetsMet ? undefined : EXIT_CODES.OVER_BUDGET;
      }),
    );
}
