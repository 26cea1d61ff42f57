// Scale-out faults of the coordinator side on a real redis-server: a SIGKILLed coordinator resumed with --resume reuses the finished jobs and ends with the local plan; a job over --job-timeout fails typed.
// tier: full (starts redis-server and spawns the CLI: workers and coordinators)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';
import { predictOnTarget } from '../../src/latency/target-predictor.ts';
import { planSearch } from '../../src/search/plan-search.ts';
import { freePort, jobLines, killGroup, startCli, startRedis, waitFor, type Running } from './processes.ts';

const PASSWORD = 'pw-resume-never-printed';
const MODEL = join('samples', 'vgg', 'model.json');
let dir = '';
let store = '';
let port = 0;
let redis: Running | undefined;
const workers: Running[] = [];
let latencyMs = 0;

/** The queue URL of Redis database `db` (each test has its own, so their workers never share jobs). */
const urlOf = (db: number): string => `redis://:${PASSWORD}@127.0.0.1:${port}/${db}`;

/** A worker on database `db`, connected. */
async function startWorker(db: number, extra: string[] = []): Promise<Running> {
  const w = startCli(['worker', '--queue', urlOf(db), '--store', store, '--concurrency', '1', '--stall-timeout', '1500', ...extra]);
  workers.push(w);
  await waitFor('a worker to connect', () => /^worker on /m.test(w.output()));
  return w;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ep-resume-'));
  store = join(dir, 'store');
  await mkdir(store);
  port = await freePort();
  redis = await startRedis(port, dir, PASSWORD);
  const bundle = await readBundle(MODEL);
  latencyMs = predictOnTarget(analyzeModel(bundle).graph, loadTarget('pixel7')).resources.latencyMs * 0.8;
});

after(async () => {
  for (const w of workers) killGroup(w, 'SIGKILL');
  if (redis) killGroup(redis, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

test('a coordinator SIGKILLed mid-search, rerun with --resume, reuses the finished jobs and history and writes the local plan', async () => {
  const bundle = await readBundle(MODEL);
  const localOut = join(dir, 'local');
  await planSearch({ bundle, analysis: analyzeModel(bundle), target: loadTarget('pixel7'), budget: { latencyMs }, seed: 1, outDir: localOut, force: true });
  const localRounds = (await readFile(join(localOut, 'history.jsonl'), 'utf8')).trim().split('\n').length;
  assert.ok(localRounds >= 2, `the search needs at least 2 rounds to be interrupted between them (has ${localRounds})`);

  const [w1, w2] = [await startWorker(1), await startWorker(1)];
  const doneIds = (): string[] => [...jobLines(w1.output()).done, ...jobLines(w2.output()).done];
  const out = join(dir, 'queued');
  const args = ['plan', MODEL, '--target', 'pixel7', '--latency-ms', String(latencyMs), '--seed', '1', '--force', '--queue', urlOf(1), '--store', store, '--out', out, '--json'];
  const first = startCli(args);
  // Kill the coordinator once a round is in history.jsonl and a job of the next round has finished.
  const history = join(out, 'history.jsonl');
  const roundsWritten = async (): Promise<number> => (existsSync(history) ? (await readFile(history, 'utf8')).split('\n').filter((l) => l.trim()).length : 0);
  let atFirstRound = -1;
  for (;;) {
    if (first.child.exitCode !== null) assert.fail(`the coordinator finished before it could be killed: ${first.output()}`);
    if (atFirstRound < 0 && (await roundsWritten()) >= 1) atFirstRound = doneIds().length;
    if (atFirstRound >= 0 && doneIds().length > atFirstRound) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  killGroup(first, 'SIGKILL');
  const killed = await first.done;
  assert.equal(killed.signal, 'SIGKILL');
  assert.ok(!existsSync(join(out, 'plan.json')), 'no plan from the killed run');
  const roundsBefore = await roundsWritten();
  assert.ok(roundsBefore >= 1 && roundsBefore < localRounds, `killed after ${roundsBefore} of ${localRounds} rounds`);
  // Jobs the workers finish after the kill are finished too; wait until they are idle.
  await waitFor('the workers to go idle', () => [w1, w2].every((w) => jobLines(w.output()).started.length === jobLines(w.output()).done.length), 60_000);
  const finished = new Set(doneIds());

  const resumed = await startCli([...args, '--resume']).done;
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(await readFile(join(out, 'plan.json'), 'utf8'), await readFile(join(localOut, 'plan.json'), 'utf8'));
  assert.equal(await readFile(history, 'utf8'), await readFile(join(localOut, 'history.jsonl'), 'utf8'));
  // Nothing that finished before the resume ran again (it would finish twice): those jobs came back from the queue.
  assert.equal(new Set(doneIds()).size, doneIds().length, 'a finished job ran again');
  assert.ok(doneIds().length > finished.size, 'the resumed run queued the rounds left');
  for (const text of [killed.stdout, killed.stderr, resumed.stdout, resumed.stderr, w1.output(), w2.output()]) assert.ok(!text.includes(PASSWORD));
});

test('a job running longer than the worker\'s --job-timeout fails the run typed (QUEUE_TIMEOUT naming the job, no plan); a rerun tries it again', async (t) => {
  // A budget one round reaches, to keep the rerun short.
  const bundle = await readBundle(MODEL);
  const nearMs = predictOnTarget(analyzeModel(bundle).graph, loadTarget('pixel7')).resources.latencyMs * 0.97;
  const localOut = join(dir, 'local-one-round');
  await planSearch({ bundle, analysis: analyzeModel(bundle), target: loadTarget('pixel7'), budget: { latencyMs: nearMs }, seed: 1, outDir: localOut, force: true });
  const t0 = Date.now();
  const slow = await startWorker(2, ['--job-timeout', '0.001']);
  const out = join(dir, 'timeout');
  const args = ['plan', MODEL, '--target', 'pixel7', '--latency-ms', String(nearMs), '--seed', '1', '--force', '--queue', urlOf(2), '--store', store, '--out', out, '--json'];
  const r = await startCli(args).done;
  t.diagnostic(`timed out after ${Date.now() - t0} ms`);
  assert.equal(r.status, 19, r.stderr);
  const error = (JSON.parse(r.stdout) as { error: { code: string; where: string } }).error;
  assert.equal(error.code, 'QUEUE_TIMEOUT');
  assert.match(error.where, /^job evaluate-[0-9a-f]{64} on redis:\/\/:\*\*\*@127\.0\.0\.1/);
  assert.ok(!existsSync(join(out, 'plan.json')), 'no plan from a timed-out run');
  assert.match(slow.output(), /QUEUE_TIMEOUT/);
  assert.doesNotMatch(slow.output(), /Unexpected exit code/, 'a timed-out child never takes another job');
  // With a worker that has time, the same command (the failed job queued again) ends with the local plan.
  killGroup(slow, 'SIGKILL');
  await slow.done;
  await startWorker(2);
  const again = await startCli([...args, '--resume']).done;
  t.diagnostic(`rerun done after ${Date.now() - t0} ms`);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(await readFile(join(out, 'plan.json'), 'utf8'), await readFile(join(localOut, 'plan.json'), 'utf8'));
  assert.equal(await readFile(join(out, 'history.jsonl'), 'utf8'), await readFile(join(localOut, 'history.jsonl'), 'utf8'));
  t.diagnostic(`${(await readFile(join(localOut, 'history.jsonl'), 'utf8')).trim().split('\n').length} round(s)`);
});
