// The list of CLI commands: one file per command, each exporting a `register` function.
import type { Command } from 'commander';

/** A command module adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

/** A command's name (as typed) and how to load its module. */
export type CommandEntry = [name: string, load: () => Promise<{ register: RegisterCommand }>];

/**
 * Every command, in the order `--help` lists them. Add one line per new command. Only the invoked
 * command's module is loaded (all of them for `--help`), so keep heavy imports inside actions.
 */
export const COMMANDS: CommandEntry[] = [
  ['run', () => import('./run.ts')],
  ['import', () => import('./import.ts')],
  ['analyze', () => import('./analyze.ts')],
  ['score', () => import('./score.ts')],
  ['prune', () => import('./prune.ts')],
  ['plan', () => import('./plan.ts')],
  ['finetune', () => import('./finetune.ts')],
  ['eval', () => import('./eval.ts')],
  ['export', () => import('./export.ts')],
  ['targets', () => import('./targets.ts')],
  ['calibrate', () => import('./calibrate.ts')],
  ['verify', () => import('./verify.ts')],
  ['worker', () => import('./worker.ts')],
];
