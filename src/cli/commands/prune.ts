// `edge-prune prune`: drop channels by criterion and ratio (or replay a plan) and write the pruned bundle.
import type { Command } from 'commander';
import { join } from 'node:path';
import { analyzeModel } from '../../analyze/analyze-model.ts';
import { fail } from '../../core/errors.ts';
import type { PrunePlan } from '../../core/types.ts';
import { writeJsonAtomic } from '../../core/atomic-write.ts';
import { requireSeparateOutput } from '../../bundle/safe-path.ts';
import { writeBundle } from '../../bundle/write-bundle.ts';
import { applyPlan } from '../../prune/apply-plan.ts';
import { CRITERIA, scoreModel } from '../../score/score-model.ts';
import { planFromRatios, type DropRatios } from '../../search/ratio-plan.ts';
import { loadModelArgument, readJsonOption } from '../load-model.ts';
import { choiceOption, numberOption, seedOption } from '../options.ts';
import { action, printResult } from '../output.ts';
import { measureSizes, sizeLines, weightsOption } from '../size-output.ts';
import type { WeightsChoice } from '../../bundle/encoding.ts';

/** Options of the prune command. */
interface PruneOptions {
  criterion: string;
  ratio?: number;
  ratios?: string;
  plan?: string;
  out: string;
  seed: number;
  round: number;
  lockUnknown?: boolean;
  weights?: WeightsChoice;
}

/** Register the prune command. */
export function register(program: Command): void {
  program
    .command('prune')
    .description('remove channels (lowest scores first, or as a plan says) and write the pruned model')
    .argument('<model.json>', 'a TF.js Layers model')
    .requiredOption('--out <dir>', 'folder for the pruned model.json, its shards and plan.json')
    .addOption(choiceOption('--criterion <name>', 'channel ranking', Object.keys(CRITERIA), 'fscl'))
    .addOption(numberOption('--ratio <r>', 'drop this fraction of every prunable group, 0 ≤ r < 1', { min: 0 }))
    .option('--ratios <file.json>', 'per-group drop ratios {"groupId": ratio}; unnamed groups are kept whole')
    .option('--plan <plan.json>', 'replay a plan written by `edge-prune plan` or `prune`')
    .addOption(numberOption('--round <n>', 'keep channel counts at multiples of n', { integer: true, min: 1 }, 1))
    .addOption(seedOption('seed for the random criterion'))
    .option('--lock-unknown', 'lock the channels of unsupported layers instead of failing')
    .addOption(weightsOption())
    .addHelpText('after', '\nExamples:\n  edge-prune prune model.json --ratio 0.3 --out pruned/\n  edge-prune prune model.json --ratios ratios.json --criterion l1 --out pruned-l1/\n  edge-prune prune model.json --plan runs/x/plan.json --out pruned/\n  edge-prune prune model.json --ratio 0.3 --weights float32 --out pruned-f32/\n\nWeights are stored as the source stored them (a uint8-quantized model stays uint8, re-quantized per tensor); --weights overrides.')
    .action(
      action(async (modelPath: string, opts: PruneOptions, cmd: Command) => {
        const given = [opts.ratio, opts.ratios, opts.plan].filter((x) => x !== undefined).length;
        if (given !== 1) {
          fail('INVALID_ARGUMENT', { expected: 'exactly one of --ratio, --ratios, --plan', found: `${given}`, where: 'prune options', hint: 'e.g. --ratio 0.3' });
        }
        await requireSeparateOutput(opts.out, modelPath);
        const bundle = await loadModelArgument(modelPath);
        const before = analyzeModel(bundle, { lockUnknown: opts.lockUnknown === true });
        let plan: PrunePlan;
        if (opts.plan) plan = (await readJsonOption(opts.plan, '--plan')) as PrunePlan;
        else {
          const scores = scoreModel(opts.criterion, { bundle, graph: before.graph, groups: before.groups, seed: opts.seed });
          const ratios: DropRatios = opts.ratio !== undefined ? opts.ratio : ((await readJsonOption(opts.ratios as string, '--ratios')) as Record<string, number>);
          plan = planFromRatios(before.groups, scores, ratios, opts.round);
        }
        const pruned = applyPlan(bundle, before.groups, plan);
        const after = analyzeModel(pruned, { lockUnknown: opts.lockUnknown === true });
        // A plan's float16/uint8 encoding is how its weights are written, unless --weights says otherwise.
        const weights = opts.weights ?? (plan.encoding === 'float16' || plan.encoding === 'uint8' ? plan.encoding : undefined);
        const modelJson = await writeBundle(pruned, opts.out, weights ? { weights } : {});
        await writeJsonAtomic(join(opts.out, 'plan.json'), plan);
        const params = { before: before.cost.params, after: after.cost.params };
        const size = await measureSizes(modelPath, bundle, params, [{ what: 'model', path: modelJson, bundle: pruned, weights }]);
        const result = {
          macs: { before: before.cost.macs, after: after.cost.macs },
          params,
          size,
          model: modelJson,
        };
        const pct = (a: number, b: number): string => `${((1 - b / a) * 100).toFixed(1)}%`;
        printResult(cmd.optsWithGlobals(), result, () =>
          [
            `MACs   ${before.cost.macs} → ${after.cost.macs} (−${pct(before.cost.macs, after.cost.macs)})`,
            `params ${before.cost.params} → ${after.cost.params} (−${pct(before.cost.params, after.cost.params)})`,
            ...sizeLines(size),
            `wrote ${modelJson}`,
          ].join('\n'),
        );
      }),
    );
}
