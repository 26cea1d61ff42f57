// `edge-prune plan`: search for a plan that meets a target's budgets (NetAdapt by default).
import type { Command } from 'commander';
import { action, printResult, EXIT_CODES } from '../output.ts';
import { loadModelArgument, readJsonOption } from '../load-model.ts';
import { addBudgetOptions, budgetFromFlags, choiceOption, numberOption, seedOption, type BudgetFlags } from '../options.ts';
import { CRITERIA } from '../../score/score-model.ts';
import { SEARCH_MODES, type SearchMode } from '../../search/search-modes.ts';
import { createCliLogger } from '../progress.ts';
import { addQueueOptions, queueFromFlags, type QueueFlags } from '../queue-options.ts';
import { weightsOption } from '../size-output.ts';
import type { WeightsChoice } from '../../bundle/encoding.ts';

/** Options of the plan command. */
interface PlanOptions extends BudgetFlags, QueueFlags {
  target: string;
  out: string;
  criterion: string;
  search: SearchMode;
  ratio?: number;
  ratios?: string;
  seed: number;
  resume?: boolean;
  lockUnknown?: boolean;
  data?: string;
  searchImages: number;
  minAgreement?: number;
  force?: boolean;
  weights?: WeightsChoice;
}

/** Register the plan command. */
export function register(program: Command): void {
  const command = program
    .command('plan')
    .description('search for the plan that meets a target\'s latency and memory budgets (writes plan.json + history.jsonl)')
    .argument('<model.json>', 'a TF.js Layers model')
    .requiredOption('--target <name>', 'a target from `edge-prune targets` (or a path to a target JSON)')
    .requiredOption('--out <dir>', 'folder for plan.json and the append-only history.jsonl');
  addQueueOptions(addBudgetOptions(command))
    .addOption(choiceOption('--criterion <name>', 'channel ranking inside each group', Object.keys(CRITERIA), 'fscl'))
    .addOption(choiceOption('--search <mode>', 'netadapt (rounds, candidates compared by measured quality), global (one threshold) or manual (--ratio/--ratios)', SEARCH_MODES, 'netadapt'))
    .addOption(numberOption('--ratio <r>', 'manual mode: drop ratio for every group, 0 ≤ r < 1', { min: 0 }))
    .option('--ratios <file.json>', 'manual mode: per-group drop ratios')
    .option('--data <path>', 'image folder (class sub-folders, or train/ + test/) or IDX files: candidates are compared by accuracy after BatchNorm re-estimation; a flat folder of unlabelled images: by top-1 agreement with the unpruned model; a detector or segmenter (several outputs, or maps): by per-output fidelity to its raw outputs')
    .addOption(numberOption('--min-agreement <x>', 'without labelled data, stop before agreement with the unpruned model falls below x (default 0.9)', { min: 0, max: 1 }))
    .option('--force', 'search past the --min-agreement floor')
    .addOption(numberOption('--search-images <n>', 'training images for BN re-estimation and, as many again, for candidate accuracy (with --data)', { integer: true, min: 1 }, 512))
    .addOption(seedOption('seed (the same seed gives the same plan)'))
    .option('--resume', 'continue an interrupted search from <out>/history.jsonl')
    .option('--lock-unknown', 'lock the channels of unsupported layers instead of failing')
    .addOption(weightsOption())
    .addHelpText('after', '\nWith --data, candidates are compared by held-out accuracy after BatchNorm re-estimation (images from\nthe training split only); without it, by how closely the pruned model follows the original on seeded inputs (every output of a\ndetector or segmenter counts).\nThe plan replays with `edge-prune prune <model.json> --plan <out>/plan.json --out <dir>`.\nA plan is channels + an encoding: once pruning meets latency and memory, the least lossy encoding the\ntarget loads (float16/uint8 weights; int8 where its runtime has int8 costs) that meets the size budget\nis chosen instead of pruning further; the output says which budget pruning met and which the encoding.\n\nExample:\n  edge-prune plan samples/vgg/model.json --target pixel7 --latency-ms 4 --out runs/plan-vgg\n  edge-prune plan samples/vgg/model.json --target pixel7 --data samples/data --out runs/plan-vgg-data\n  edge-prune plan samples/vgg/model.json --target pixel7 --data samples/data --out runs/plan-q \\\n    --queue redis://queue-host:6379 --store /mnt/edge-prune-store   # candidates on edge-prune workers')
    .action(
      action(async (modelPath: string, opts: PlanOptions, cmd: Command) => {
        const { analyzeModel } = await import('../../analyze/analyze-model.ts');
        const { loadTarget } = await import('../../targets/load-targets.ts');
        const { planSearch } = await import('../../search/plan-search.ts');
        const { describeAttribution } = await import('../../search/encoding-choice.ts');
        const mode = opts.search;
        const target = loadTarget(opts.target);
        const bundle = await loadModelArgument(modelPath);
        const analysis = analyzeModel(bundle, { lockUnknown: opts.lockUnknown === true });
        const budget = budgetFromFlags(opts);
        const ratios = opts.ratios ? ((await readJsonOption(opts.ratios, '--ratios')) as Record<string, number>) : opts.ratio;
        const globals = cmd.optsWithGlobals();
        const logger = createCliLogger(globals.json === true);
        const seed = opts.seed;
        const queue = queueFromFlags(opts);
        let evaluate: ((b: typeof bundle) => Promise<number>) | undefined;
        let unlabelled: { measure: 'top-1 agreement' | 'output fidelity'; measuredOn: string } | undefined;
        let data: Awaited<ReturnType<typeof import('../../data/run-data.ts').loadRunData>> | undefined;
        let dense = false;
        if (opts.data) {
          const { loadRunData } = await import('../../data/run-data.ts');
          const { candidateAccuracy, candidateAgreement } = await import('../../runtime/candidate-accuracy.ts');
          const { isDensePrediction } = await import('../../pipeline-dense.ts');
          data = await loadRunData(bundle, opts.data, seed, opts.searchImages, logger);
          const measuredOn = `${data.searchEval.labels.length} images of ${data.source}`;
          // Detectors and segmenters (several outputs, or maps): per-output fidelity on the raw outputs, as the main command (in-process).
          dense = isDensePrediction(analysis.graph);
          if (dense) {
            const { candidateOutputFidelity } = await import('../../runtime/output-fidelity.ts');
            evaluate = await candidateOutputFidelity(data, bundle, seed);
            unlabelled = { measure: 'output fidelity', measuredOn };
          } else {
            if (!queue) evaluate = data.unlabelled ? await candidateAgreement(data, bundle, seed) : candidateAccuracy(data, seed);
            if (data.unlabelled) unlabelled = { measure: 'top-1 agreement', measuredOn };
          }
        }
        const jobs = queue ? await (await import('../../queue/job-queue.ts')).openJobQueue(queue, logger) : undefined;
        let result: Awaited<ReturnType<typeof planSearch>>;
        try {
          const { queueEvaluator } = await import('../../queue/queue-evaluator.ts');
          const quality = data ? { measure: data.unlabelled ? 'agreement' as const : 'accuracy' as const, searchBn: data.searchBn, searchEval: data.searchEval } : { measure: 'fidelity' as const };
          const evaluator = jobs && queue && !dense ? await queueEvaluator(jobs, queue.store, bundle, quality, { seed, lockUnknown: opts.lockUnknown === true }) : undefined;
          result = await planSearch({
            bundle, analysis, target, budget, criterion: opts.criterion, mode, seed, outDir: opts.out,
            ...(ratios !== undefined ? { ratios } : {}),
            ...(opts.resume ? { resume: true } : {}),
            ...(evaluate ? { evaluate } : {}),
            ...(evaluator ? { evaluator, ...(data && !data.unlabelled ? { measure: 'accuracy' as const } : {}) } : {}),
            ...(unlabelled ?? {}),
            ...(opts.minAgreement !== undefined ? { minAgreement: opts.minAgreement } : {}),
            ...(opts.force ? { force: true } : {}),
            ...(opts.weights ? { weights: opts.weights } : {}),
            logger,
          });
        } finally {
          await jobs?.close();
        }
        const json = {
          met: result.met,
          budget: result.budget,
          predicted: result.predicted,
          original: result.original,
          macs: result.macs,
          rounds: result.rounds.length,
          plan: `${opts.out}/plan.json`,
          ...(result.reason ? { reason: result.reason } : {}),
          measure: result.measure,
          ...(result.floor ? { floor: result.floor } : {}),
          encoding: result.encoding,
        };
        const f = (n: number | undefined): string => (n === undefined ? '—' : n.toFixed(2));
        printResult(globals, json, () => [
          `target ${target.target.name} (${target.target.runtime} on ${target.profile.name})`,
          `latency  ${f(result.original.latencyMs)} → ${f(result.predicted.latencyMs)} ms predicted (budget ${f(result.budget.latencyMs)})`,
          `memory   ${f(result.original.memoryMb)} → ${f(result.predicted.memoryMb)} MB predicted (budget ${f(result.budget.memoryMb)})`,
          `size     ${f(result.original.modelSizeMb)} → ${f(result.predicted.modelSizeMb)} MB (budget ${f(result.budget.modelSizeMb)})`,
          `MACs     ${result.macs.before} → ${result.macs.after} (−${((1 - result.macs.after / result.macs.before) * 100).toFixed(1)}%)`,
          `encoding ${result.encoding.chosen}${result.encoding.chosen === result.encoding.source ? ' (the source\'s)' : ` (source ${result.encoding.source})`}; ${result.encoding.chosenBy === 'option' ? 'fixed by --weights' : `chosen among ${result.encoding.choices.join(', ')}`}`,
          ...result.encoding.metBy.map((a) => `  ${describeAttribution(a, result.encoding.chosen)}`),
          ...result.encoding.rejected.map((r) => `  not ${r.encoding}: ${r.reason}`),
          `${result.rounds.length} search rounds; wrote ${opts.out}/plan.json`,
        ].join('\n'));
        if (!result.met) {
          if (!globals.json) process.stderr.write(`error BUDGET_UNREACHABLE: ${result.reason ?? 'the budgets cannot be met'}\nhint: raise the budget, or lower the channel rounding${result.floorStop ? ', or give --data (images, labelled or not), a lower --min-agreement, or --force' : ''}; the best plan found is in ${opts.out}/plan.json\n`);
          return EXIT_CODES.BUDGET_UNREACHABLE;
        }
        return undefined;
      }),
    );
}
