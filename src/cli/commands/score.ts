// `edge-prune score`: per-channel scores of every prunable group under a criterion.
import type { Command } from 'commander';
import { analyzeModel } from '../../analyze/analyze-model.ts';
import { CRITERIA, scoreModel } from '../../score/score-model.ts';
import { loadModelArgument } from '../load-model.ts';
import { choiceOption, seedOption } from '../options.ts';
import { action, printResult } from '../output.ts';

/** Register the score command. */
export function register(program: Command): void {
  program
    .command('score')
    .description('score every channel of every prunable group (higher = keep)')
    .argument('<model.json>', 'a TF.js Layers model')
    .addOption(choiceOption('--criterion <name>', 'channel ranking', Object.keys(CRITERIA), 'fscl'))
    .addOption(seedOption('seed for the random criterion'))
    .option('--lock-unknown', 'lock the channels of unsupported layers instead of failing')
    .action(
      action(async (modelPath: string, opts: { criterion: string; seed: number; lockUnknown?: boolean }, cmd: Command) => {
        const bundle = await loadModelArgument(modelPath);
        const { graph, groups } = analyzeModel(bundle, { lockUnknown: opts.lockUnknown === true });
        const scores = scoreModel(opts.criterion, { bundle, graph, groups, seed: opts.seed });
        printResult(cmd.optsWithGlobals(), scores, () =>
          [`criterion ${scores.criterion}`, ...scores.groups.map((g) => {
            const sorted = [...g.scores].sort((a, b) => a - b);
            const q = (f: number): string => (sorted[Math.floor(f * (sorted.length - 1))] ?? 0).toPrecision(3);
            return `${g.id.padEnd(32)} ${String(g.scores.length).padStart(5)} channels  min ${q(0)}  median ${q(0.5)}  max ${q(1)}`;
          })].join('\n'),
        );
      }),
    );
}
