// The list of CLI commands: one file per command, each exporting a `register` function.
import type { Command } from 'commander';

/** A command module adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

/** Every command, in the order `--help` lists them. Add one line per new command. */
export const COMMANDS: Array<() => Promise<{ register: RegisterCommand }>> = [
  () => import('./analyze.ts'),
  () => import('./score.ts'),
  () => import('./prune.ts'),
];
