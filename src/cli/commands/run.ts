// The main command: `edge-prune [model.json] --target <t>` runs the whole flow and writes the run folder.
import type { Command } from 'commander';
import { EXIT_CODES, action, printResult } from '../output.ts';
import { parseNumberOption } from '../load-model.ts';
import { createCliLogger } from '../progress.ts';

/** Options of the main command. */
interface RunOptions {
  target: string;
  latencyMs?: string;
  memoryMb?: string;
  sizeMb?: string;
  data?: string;
  epochs?: string;
  out?: string;
  criterion: string;
  search: string;
  method?: string;
  seed: string;
  backend?: string;
  resume?: boolean;
  lockUnknown?: boolean;
}

/** Register the main command (the default when no sub-command is named). */
export function register(program: Command): void {
  program
    .command('run', { isDefault: true })
    .description('prune, fine-tune, export and measure a model for a target (the default command)')
    .argument('[model.json]', 'a TF.js Layers model (default: the bundled VGG-style sample and its data)')
    .requiredOption('--target <name>', 'where the model will run: see `edge-prune targets`')
    .option('--latency-ms <ms>', 'latency budget at batch 1 (default: the target\'s, or the sample\'s)')
    .option('--memory-mb <mb>', 'peak memory budget')
    .option('--size-mb <mb>', 'exported model size budget')
    .option('--data <path>', 'image folder (class sub-folders, or train/ + test/) or IDX files, for the search and fine-tuning')
    .option('--epochs <n>', 'fine-tuning epochs (default 2; 6 on the bundled sample, see samples/vgg/budgets.json)')
    .option('--out <dir>', 'run folder (default runs/<target>-<time>)')
    .option('--criterion <name>', 'channel ranking', 'fscl')
    .option('--search <mode>', 'netadapt, global or manual', 'netadapt')
    .option('--method <m>', 'how to measure: local, emulated, device or none (default: the target\'s)')
    .option('--seed <n>', 'seed of every random choice', '0')
    .option('--backend <name>', 'training backend: tensorflow (tfjs-node), wasm or cpu')
    .option('--resume', 'continue an interrupted run in --out')
    .option('--lock-unknown', 'keep unsupported layers unpruned instead of failing')
    .addHelpText('after', `
Examples:
  edge-prune --target pixel7                                   # the bundled sample, its data and budgets
  edge-prune my/model.json --target pixel7 --data my/images --epochs 5 --out runs/mine
  edge-prune my/model.json --target raspberry-pi-5 --latency-ms 20 --json > report.json

The run folder holds plan.json, history.jsonl, model/ (pruned + fine-tuned), export/ (tfjs,
tfjs-graph, onnx), report.json and report.html. Exit 0 when every budget is met, 11 when one is not.`)
    .action(
      action(async (model: string | undefined, opts: RunOptions, cmd: Command) => {
        const { runPipeline } = await import('../../pipeline.ts');
        const globals = cmd.optsWithGlobals();
        const method = opts.method as 'local' | 'emulated' | 'device' | 'none' | undefined;
        const report = await runPipeline({
          target: opts.target,
          ...(model ? { model } : {}),
          ...(opts.data ? { data: opts.data } : {}),
          ...(opts.out ? { outDir: opts.out } : {}),
          ...(method ? { method } : {}),
          ...(opts.backend ? { backend: opts.backend } : {}),
          budget: {
            ...(opts.latencyMs !== undefined ? { latencyMs: parseNumberOption(opts.latencyMs, '--latency-ms') } : {}),
            ...(opts.memoryMb !== undefined ? { memoryMb: parseNumberOption(opts.memoryMb, '--memory-mb') } : {}),
            ...(opts.sizeMb !== undefined ? { modelSizeMb: parseNumberOption(opts.sizeMb, '--size-mb') } : {}),
          },
          ...(opts.epochs !== undefined ? { epochs: parseNumberOption(opts.epochs, '--epochs') } : {}),
          criterion: opts.criterion,
          search: opts.search as 'netadapt' | 'global' | 'manual',
          seed: parseNumberOption(opts.seed, '--seed'),
          ...(opts.resume ? { resume: true } : {}),
          ...(opts.lockUnknown ? { lockUnknown: true } : {}),
          logger: createCliLogger(globals.json === true),
        });
        const { formatSummary } = await import('../summary.ts');
        printResult(globals, report, () => formatSummary(report));
        return report.budgetsMet ? undefined : EXIT_CODES.OVER_BUDGET;
      }),
    );
}
