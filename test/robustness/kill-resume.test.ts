// Crash safety: `plan` and `finetune` SIGKILLed at seeded random points and resumed end with the uninterrupted run's files and nothing corrupt.
// tier: full (spawns and SIGKILLs the CLI; fine-tunes)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { createRandom } from '../../src/core/random.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { writeBundle } from '../../src/bundle/write-bundle.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';
import { predictOnTarget } from '../../src/latency/target-predictor.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';
import { makeTempDir, makeTinyCnn, removeDir } from '../finetune/helpers.ts';
import { makeSampleDataFolder } from '../helpers/sample-data.ts';
import { differingFiles, findCorruptFiles, leaveTornTemporary, runCli, runKillChains, spreadKillTimes, withoutTimings, type ChainResult } from './kill-resume.ts';

/** Seed of the kill times. */
const KILL_SEED = 0x6b111;
/** Kill points per command, and how many kills one resume chain takes before it is let finish. */
const KILL_POINTS = 12;
const KILLS_PER_CHAIN = 4;

/** One line on what the chains did. */
function describeChains(what: string, referenceMs: number, chains: ChainResult[]): string {
  const kills = chains.flatMap((c) => c.kills).sort((a, b) => a - b);
  const outlived = chains.filter((c) => c.outlivedFresh).length;
  return `${what}: uninterrupted run ${referenceMs} ms; ${kills.length} kill points hit (${kills.join(', ')} ms), ${outlived} outlived by a fresh run; ${chains.reduce((n, c) => n + c.runs, 0)} runs in ${chains.length} chains`;
}

test('plan: SIGKILL at seeded random points, then --resume, gives the uninterrupted plan.json and history byte for byte, nothing corrupt left', { timeout: 600_000 }, async (t) => {
  const model = await ensureFixture('mobilenetv2');
  // A committed device target: the host profile is rewritten by `edge-prune calibrate`, which would change the plan mid-test.
  const target = loadTarget('raspberry-pi-5');
  const profileBefore = await readFile(join('profiles', `${target.profile.name}.json`), 'utf8');
  const latency = predictOnTarget(analyzeModel(await readBundle(model)).graph, target).resources.latencyMs * 0.75;
  const root = await makeTempDir('kill-plan');
  try {
    const argsFor = (dir: string): string[] => ['plan', model, '--target', 'raspberry-pi-5', '--latency-ms', String(latency), '--seed', '3', '--force', '--out', join(dir, 'out')]; // --force: this test is about crash safety, not the fidelity floor
    const reference = join(root, 'reference');
    const whole = await runCli(argsFor(reference));
    assert.equal(whole.exit, 0, whole.stderr);
    const rounds = (await readFile(join(reference, 'out', 'history.jsonl'), 'utf8')).trim().split('\n').length;
    assert.ok(rounds >= 3, `${rounds} search rounds: enough to interrupt`);
    const killTimes = spreadKillTimes(whole.ms, KILL_POINTS, createRandom(KILL_SEED));
    const chains = await runKillChains(root, argsFor, killTimes, KILLS_PER_CHAIN, async (dir) => {
      assert.deepEqual(await findCorruptFiles(join(dir, 'out')), [], `files left in ${dir}`);
      assert.deepEqual(await differingFiles(join(dir, 'out'), join(reference, 'out')), [], 'plan.json and history.jsonl equal the uninterrupted run');
    });
    assert.equal(await readFile(join('profiles', `${target.profile.name}.json`), 'utf8'), profileBefore, 'the target\'s profile did not change during the test');
    // A kill between writing a temporary and renaming it leaves the temporary behind: the next write of that file removes it.
    const torn = [await leaveTornTemporary(join(root, 'chain-0', 'out'), 'plan.json'), await leaveTornTemporary(join(root, 'chain-0', 'out'), 'history.jsonl')];
    assert.equal((await findCorruptFiles(join(root, 'chain-0', 'out'))).length, 2, `torn temporaries ${torn.join(', ')} are seen`);
    assert.equal((await runCli([...argsFor(join(root, 'chain-0')), '--resume'])).exit, 0);
    assert.deepEqual(await findCorruptFiles(join(root, 'chain-0', 'out')), [], 'the resumed run removed the killed writers\' temporaries');
    t.diagnostic(describeChains('plan', whole.ms, chains));
    assert.ok(chains.flatMap((c) => c.kills).length >= 1, 'a kill point hit a running process');
  } finally {
    await removeDir(root);
  }
});

test('finetune: SIGKILL at seeded random points, then --resume, gives the uninterrupted weights and summary, nothing corrupt left', { timeout: 600_000 }, async (t) => {
  const root = await makeTempDir('kill-ft');
  try {
    const model = await writeBundle(await makeTinyCnn(11), join(root, 'model'));
    const data = join(root, 'data');
    await makeSampleDataFolder(data, { train: 30, test: 8 });
    // Mid-epoch checkpoints every 60 ms: kills land inside checkpoint writes too. The decoded-data
    // cache lives in the chain's folder, so the first run of every chain writes it (and can be killed doing so).
    const argsFor = (dir: string): string[] => ['finetune', model, '--teacher', model, '--data', data, '--epochs', '3', '--batch', '16', '--seed', '5', '--checkpoint-minutes', '0.001', '--cache-dir', join(dir, 'cache'), '--out', join(dir, 'out'), '--json'];
    const reference = join(root, 'reference');
    const whole = await runCli(argsFor(reference));
    assert.equal(whole.exit, 0, whole.stderr);
    const summaryOf = async (dir: string): Promise<unknown> => withoutTimings(JSON.parse(await readFile(join(dir, 'out', 'summary.json'), 'utf8')));
    const expected = await summaryOf(reference);
    assert.equal((expected as { epochs: number }).epochs, 3);
    const killTimes = spreadKillTimes(whole.ms, KILL_POINTS, createRandom(KILL_SEED + 1));
    const chains = await runKillChains(root, argsFor, killTimes, KILLS_PER_CHAIN, async (dir) => {
      assert.deepEqual(await findCorruptFiles(join(dir, 'out')), [], `files left in ${dir}/out`);
      assert.deepEqual(await findCorruptFiles(join(dir, 'cache')), [], `files left in ${dir}/cache`);
      const weights = (rel: string): boolean => !rel.includes('/') && (rel === 'model.json' || rel.endsWith('.bin'));
      assert.deepEqual(await differingFiles(join(dir, 'out'), join(reference, 'out'), weights), [], 'model.json and weights equal the uninterrupted run byte for byte');
      assert.deepEqual(await summaryOf(dir), expected, 'summary.json equals the uninterrupted run (timings aside)');
      const pointer = JSON.parse(await readFile(join(dir, 'out', 'checkpoints', 'checkpoint.json'), 'utf8')) as { folder: string };
      assert.deepEqual((await readdir(join(dir, 'out', 'checkpoints'))).sort(), ['checkpoint.json', pointer.folder].sort(), 'only the current checkpoint remains');
    });
    const out0 = join(root, 'chain-0', 'out');
    // Killed while writing the final model and summary: resuming the finished run rewrites them and removes the temporaries.
    for (const name of ['model.json', 'group1-shard1of1.bin', 'summary.json']) await leaveTornTemporary(out0, name);
    assert.equal((await findCorruptFiles(out0)).length, 3, 'torn temporaries are seen');
    assert.equal((await runCli([...argsFor(join(root, 'chain-0')), '--resume'])).exit, 0);
    assert.deepEqual(await findCorruptFiles(out0), [], 'the resumed run removed the killed writers\' temporaries');
    t.diagnostic(describeChains('finetune', whole.ms, chains));
    assert.ok(chains.flatMap((c) => c.kills).length >= 1, 'a kill point hit a running process');
  } finally {
    await removeDir(root);
  }
});
