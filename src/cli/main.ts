// CLI entry: builds the commander program from the command table and runs it.
import { Command } from 'commander';
import { COMMANDS } from './commands/index.ts';

const program = new Command();
program
  .name('edge-prune')
  .description(
    'Prune a convolutional network by FSCL (filter similarity in consecutive layers) until a device\'s\n' +
      'latency and memory budgets hold, fine-tune it, export TF.js and ONNX, and measure it.',
  )
  .option('--json', 'print machine-readable JSON instead of text')
  .option('--debug', 'print stack traces with errors')
  .showHelpAfterError('(run with --help for usage)');

for (const load of COMMANDS) {
  const mod = await load();
  mod.register(program);
}

await program.parseAsync(process.argv);
