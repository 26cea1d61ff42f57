// Shared option definitions: enumerated choices and numbers parsed by commander with typed errors, and the budget flags.
import { Option, type Command } from 'commander';
import { fail } from '../core/errors.ts';
import type { Budget } from '../targets/budget.ts';

/**
 * An option whose value must be one of `values`: `--help` lists them, and any other value is an
 * INVALID_ARGUMENT (exit 2) naming the allowed ones.
 */
export function choiceOption(flags: string, description: string, values: readonly string[], fallback?: string): Option {
  const option = new Option(flags, description).choices(values).argParser((value: string) => {
    if (!values.includes(value)) {
      fail('INVALID_ARGUMENT', {
        expected: `one of ${values.join(', ')}`,
        found: JSON.stringify(value),
        where: option.long ?? flags,
        hint: `e.g. ${option.long ?? flags} ${values[0] ?? ''}`,
      });
    }
    return value;
  });
  if (fallback !== undefined) option.default(fallback);
  return option;
}

/** Bounds of a number option. */
export interface NumberBounds {
  integer?: boolean;
  min?: number;
  max?: number;
  /** Strict lower bound (value > exclusiveMin). */
  exclusiveMin?: number;
}

/** Parse a number flag within bounds, or INVALID_ARGUMENT naming the flag and the range. */
export function parseNumber(value: string, flag: string, bounds: NumberBounds = {}): number {
  const n = Number(value);
  const { integer = false, min, max, exclusiveMin } = bounds;
  const ok = value.trim() !== '' && Number.isFinite(n) && (!integer || Number.isInteger(n))
    && (min === undefined || n >= min) && (max === undefined || n <= max) && (exclusiveMin === undefined || n > exclusiveMin);
  if (!ok) {
    const range = [
      exclusiveMin !== undefined ? `> ${exclusiveMin}` : min !== undefined ? `≥ ${min}` : '',
      max !== undefined ? `≤ ${max}` : '',
    ].filter(Boolean).join(' and ');
    fail('INVALID_ARGUMENT', {
      expected: `${integer ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}`,
      found: JSON.stringify(value),
      where: flag,
      hint: `e.g. ${flag} ${min ?? (exclusiveMin !== undefined ? exclusiveMin + 1 : 1)}`,
    });
  }
  return n;
}

/** A number option parsed (and range-checked) by commander; `fallback` is the parsed default. */
export function numberOption(flags: string, description: string, bounds: NumberBounds = {}, fallback?: number): Option {
  const option = new Option(flags, description);
  option.argParser((value: string) => parseNumber(value, option.long ?? flags, bounds));
  if (fallback !== undefined) option.default(fallback);
  return option;
}

/** The budget flags every budgeted command shares, already parsed. */
export interface BudgetFlags {
  latencyMs?: number;
  memoryMb?: number;
  sizeMb?: number;
  maxAccuracyDrop?: number;
}

/** Add `--latency-ms`, `--memory-mb`, `--size-mb` and `--max-accuracy-drop` (defaults: the target's budgets). */
export function addBudgetOptions(command: Command, only?: readonly (keyof BudgetFlags)[]): Command {
  const all: [keyof BudgetFlags, Option][] = [
    ['latencyMs', numberOption('--latency-ms <ms>', 'latency budget at batch 1 (default: the target\'s)', { exclusiveMin: 0 })],
    ['memoryMb', numberOption('--memory-mb <mb>', 'peak memory budget (default: the target\'s)', { exclusiveMin: 0 })],
    ['sizeMb', numberOption('--size-mb <mb>', 'exported model size budget (default: the target\'s)', { exclusiveMin: 0 })],
    ['maxAccuracyDrop', numberOption('--max-accuracy-drop <x>', 'largest top-1 drop accepted, a fraction (default: the target\'s); with labelled --data a lossy weight encoding is taken only if the candidate loses at most x with it', { min: 0, max: 1 })],
  ];
  for (const [key, option] of all) if (!only || only.includes(key)) command.addOption(option);
  return command;
}

/** The budget overrides the flags give (absent flags are absent fields). */
export function budgetFromFlags(flags: BudgetFlags): Budget & { maxAccuracyDrop?: number } {
  return {
    ...(flags.maxAccuracyDrop !== undefined ? { maxAccuracyDrop: flags.maxAccuracyDrop } : {}),
    ...(flags.latencyMs !== undefined ? { latencyMs: flags.latencyMs } : {}),
    ...(flags.memoryMb !== undefined ? { memoryMb: flags.memoryMb } : {}),
    ...(flags.sizeMb !== undefined ? { modelSizeMb: flags.sizeMb } : {}),
  };
}

/** `--seed <n>`: a non-negative integer, default 0. */
export function seedOption(description = 'seed of every random choice (the same seed gives the same result)'): Option {
  return numberOption('--seed <n>', description, { integer: true, min: 0 }, 0);
}
