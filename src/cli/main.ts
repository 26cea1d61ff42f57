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

// Load only the invoked command's module; every module when the name is not one (help, the main command).
const invoked = process.argv.slice(2).find((a) => !a.startsWith('-'));
const only = COMMANDS.filter(([name]) => name === invoked);
for (const [, load] of only.length > 0 ? only : COMMANDS) {
  const mod = await load();
  mod.register(program);
}

await program.parseAsync(process.argv);
