// CLI entry: builds the commander program from the command table, runs it, and maps every error to an exit code.
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { EXIT_CODES, reportError } from './output.ts';
import { setImportFlags } from './import-flags.ts';

const program = new Command();
program
  .name('edge-prune')
  .description(
    'Prune a convolutional network by FSCL (filter similarity in consecutive layers) until a device\'s\n' +
      'latency and memory budgets hold, fine-tune it, export TF.js and ONNX, and measure it.',
  )
  .option('--json', 'print machine-readable JSON instead of text')
  .option('--debug', 'print stack traces with errors')
  .option('--outputs <nodes>', 'graph models: import only the sub-graph up to these comma-separated nodes (cut post-processing such as NonMaxSuppression)')
  .option('--input-shape <h,w,c>', 'graph models: the input size when the file leaves it open, e.g. 224,224,3')
  .showHelpAfterError('(run with --help for usage)')
  // Usage errors (unknown option, missing argument) throw instead of exiting, so they get exit 2 below.
  .exitOverride();

// Load only the invoked command's module; every module when the name is not one (help, the main command).
const invoked = process.argv.slice(2).find((a) => !a.startsWith('-'));
const only = COMMANDS.filter(([name]) => name === invoked);
for (const [, load] of only.length > 0 ? only : COMMANDS) {
  const mod = await load();
  mod.register(program);
}

// The import flags apply to every model a command reads.
program.hook('preAction', (_program, command) => setImportFlags(command.optsWithGlobals<{ outputs?: string; inputShape?: string }>()));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander printed its message already; help and version are not errors.
    const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' || error.exitCode === 0;
    process.exitCode = ok ? EXIT_CODES.OK : EXIT_CODES.INVALID_ARGUMENT;
  } else {
    // Typed errors from option parsers (choices, numbers) land here, before any action runs.
    const argv = process.argv.slice(2);
    process.exitCode = reportError(error, { json: argv.includes('--json'), debug: argv.includes('--debug') });
  }
}
