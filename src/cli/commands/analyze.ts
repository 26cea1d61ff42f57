// `edge-prune analyze`: MACs, parameters and channel groups of a model.
import type { Command } from 'commander';
import { analyzeModel, describeGroups } from '../../analyze/analyze-model.ts';
import { loadModelArgument } from '../load-model.ts';
import { action, printResult } from '../output.ts';

/** Register the analyze command. */
export function register(program: Command): void {
  program
    .command('analyze')
    .description('print MACs, parameters and the channel groups (what must be pruned together)')
    .argument('<model.json>', 'a TF.js Layers model')
    .option('--lock-unknown', 'lock the channels of unsupported layers instead of failing')
    .addHelpText('after', '\nExample:\n  edge-prune analyze samples/vgg/model.json\n  edge-prune analyze model.json --json | jq ".groups[] | select(.locked | not) | .id"')
    .action(
      action(async (modelPath: string, opts: { lockUnknown?: boolean }, cmd: Command) => {
        const bundle = await loadModelArgument(modelPath);
        const analysis = analyzeModel(bundle, { lockUnknown: opts.lockUnknown === true });
        const json = {
          macs: analysis.cost.macs,
          params: analysis.cost.params,
          layers: analysis.cost.layers,
          groups: analysis.groups,
        };
        printResult(cmd.optsWithGlobals(), json, () => describeGroups(analysis));
      }),
    );
}
