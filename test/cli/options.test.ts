// Enumerated and numeric options: commander parses them with typed errors that name the allowed values (exit 2 from the CLI).
// tier: full (spawns the CLI)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { EdgePruneError } from '../../src/core/errors.ts';
import { addBudgetOptions, budgetFromFlags, choiceOption, numberOption } from '../../src/cli/options.ts';
import { resolveBudget } from '../../src/targets/budget.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';

/** A throw-away program with the shared options, parsed in-process. */
function program(): Command {
  const p = new Command().exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  p.addOption(choiceOption('--search <mode>', 'mode', ['netadapt', 'global', 'manual'], 'netadapt'));
  p.addOption(numberOption('--runs <n>', 'runs', { integer: true, min: 1, max: 100 }));
  addBudgetOptions(p);
  return p;
}

/** Parse and return the thrown EdgePruneError (or fail). */
function rejectOf(args: string[]): EdgePruneError {
  try {
    program().parse(args, { from: 'user' });
  } catch (error) {
    assert.ok(error instanceof EdgePruneError, `expected an EdgePruneError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${args.join(' ')} was accepted`);
}

test('a choice outside the list is INVALID_ARGUMENT naming the flag and every allowed value', () => {
  const e = rejectOf(['--search', 'foo']);
  assert.equal(e.code, 'INVALID_ARGUMENT');
  assert.equal(e.where, '--search');
  assert.match(e.expected, /netadapt, global, manual/);
  assert.match(e.found, /foo/);
});

test('choices and numbers parse to typed values; defaults apply when absent', () => {
  const p = program();
  p.parse(['--search', 'global', '--runs', '7', '--latency-ms', '4.5'], { from: 'user' });
  assert.deepEqual(p.opts(), { search: 'global', runs: 7, latencyMs: 4.5 });
  const q = program();
  q.parse([], { from: 'user' });
  assert.deepEqual(q.opts(), { search: 'netadapt' });
});

test('numbers out of range, non-integers and junk are rejected with the range', () => {
  for (const [args, pattern] of [
    [['--runs', '0'], /integer ≥ 1 and ≤ 100/],
    [['--runs', '2.5'], /integer/],
    [['--runs', 'many'], /integer/],
    [['--latency-ms', '0'], /> 0/],
    [['--memory-mb', '-1'], /> 0/],
  ] as const) {
    const e = rejectOf([...args]);
    assert.equal(e.code, 'INVALID_ARGUMENT');
    assert.match(e.expected, pattern);
    assert.equal(e.where, args[0]);
  }
});

test('budgets resolve once: target defaults, then each override in order', () => {
  const target = loadTarget('pixel7');
  const p = program();
  p.parse(['--size-mb', '3'], { from: 'user' });
  const flags = budgetFromFlags(p.opts());
  assert.deepEqual(flags, { modelSizeMb: 3 });
  const resolved = resolveBudget(target.target.budget, { latencyMs: 9, memoryMb: 50 }, flags, undefined, { memoryMb: 40 });
  assert.equal(resolved.latencyMs, 9);
  assert.equal(resolved.memoryMb, 40);
  assert.equal(resolved.modelSizeMb, 3);
  assert.equal(resolved.maxAccuracyDrop, target.target.budget.maxAccuracyDrop);
  assert.notEqual(target.target.budget.modelSizeMb, 3, 'the override must differ from the default for this check to mean anything');
});

test('the CLI maps a bad choice and an unknown option to exit 2 before doing any work', () => {
  const bad = spawnSync(process.execPath, ['bin/edge-prune.js', '--target', 'pixel7', '--search', 'foo', '--json'], { encoding: 'utf8' });
  assert.equal(bad.status, 2, bad.stderr);
  const json = JSON.parse(bad.stdout) as { error: { code: string; expected: string } };
  assert.equal(json.error.code, 'INVALID_ARGUMENT');
  assert.match(json.error.expected, /netadapt, global, manual/);
  const unknown = spawnSync(process.execPath, ['bin/edge-prune.js', 'analyze', '--no-such-flag'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown option/);
});
