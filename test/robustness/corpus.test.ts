// The hostile-input corpus under `npm test`: every case in-process and a seeded sample through the CLI, no crash, no partial output.
// tier: full (CLI runs of sampled hostile inputs)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCorpus, CORPUS_SEED } from './corpus.ts';
import { describeResult, passed, runCorpus, summaryLines } from './runner.ts';

test('the corpus is seeded, large and covers every input kind', async () => {
  const a = await buildCorpus();
  const b = await buildCorpus({ seed: CORPUS_SEED });
  assert.deepEqual(a.map((c) => c.id), b.map((c) => c.id), 'same seed, same cases');
  assert.ok(a.length >= 200, `${a.length} cases`);
  const mustFail = a.filter((c) => c.expect === 'error').length;
  assert.ok(mustFail >= 200, `${mustFail} must-fail cases`);
  for (const kind of ['model', 'manifest', 'path', 'shard', 'plan', 'ratios', 'output', 'target', 'profile', 'data']) {
    assert.ok(a.some((c) => c.kind === kind), `a ${kind} case`);
  }
});

test('every hostile input ends in a typed error (or a valid result), with no crash, partial output or unbounded memory', { timeout: 600_000 }, async (t) => {
  const summary = await runCorpus({ cliSample: 30, dataCli: 10 });
  const lines = summaryLines(summary);
  for (const line of lines) t.diagnostic(line);
  assert.ok(summary.tried >= 200, `${summary.tried} inputs tried`);
  assert.ok(summary.cliRuns >= 30, `${summary.cliRuns} CLI runs`);
  assert.ok(passed(summary), [lines.at(-1), ...[...summary.crashes, ...summary.partial, ...summary.missed, ...summary.memory].map((r) => describeResult(r, 'finding'))].join('\n'));
});
