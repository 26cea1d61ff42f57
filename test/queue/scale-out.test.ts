// Scale-out on a real redis-server: two workers equal a local search, a SIGKILLed worker's job is retried elsewhere, a resumed coordinator reuses finished jobs, Redis restarts, bad payloads are typed.
// tier: full (starts redis-server and spawns the CLI: workers and coordinators)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';
import { predictOnTarget } from '../../src/latency/target-predictor.ts';
import { planSearch } from '../../src/search/plan-search.ts';
import { loadRunData } from '../../src/data/run-data.ts';
import { candidateAccuracy } from '../../src/runtime/candidate-accuracy.ts';
import { freePort, jobLines, killGroup, startCli, startRedis, waitFor, type Running } from './processes.ts';

const PASSWORD = 'pw-never-printed-7f3a';
const MODEL = join('samples', 'vgg', 'model.json');
const SEARCH_IMAGES = 32;
let dir = '';
let port = 0;
let url = '';
let store = '';
let redis: Running | undefined;
const workers: Running[] = [];
let latencyMs = 0;

/** A worker on the test queue with a short stall timeout. */
const startWorker = (): Running => {
  const w = startCli(['worker', '--queue', url, '--store', store, '--concurrency', '1', '--stall-timeout', '1500']);
  workers.push(w);
  return w;
};

/** Every file under a folder, as text (to look for the password). */
async function allText(folder: string): Promise<string> {
  const names = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = names.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ep-scale-'));
  store = join(dir, 'store');
  await mkdir(store);
  port = await freePort();
  url = `redis://:${PASSWORD}@127.0.0.1:${port}`;
  redis = await startRedis(port, dir, PASSWORD);
  const bundle = await readBundle(MODEL);
  latencyMs = predictOnTarget(analyzeModel(bundle).graph, loadTarget('pixel7')).resources.latencyMs * 0.85;
});

after(async () => {
  for (const w of workers) killGroup(w, 'SIGKILL');
  if (redis) killGroup(redis, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

test('two workers give the local search bit for bit; a SIGKILLed worker\'s job is retried elsewhere; a rerun reuses the finished jobs', async () => {
  // The local run, in this process: candidates by accuracy after BN re-estimation, as `plan --data` does.
  const bundle = await readBundle(MODEL);
  const analysis = analyzeModel(bundle);
  const data = await loadRunData(bundle, join('samples', 'data'), 0, SEARCH_IMAGES);
  const localOut = join(dir, 'local');
  await planSearch({ bundle, analysis, target: loadTarget('pixel7'), budget: { latencyMs }, seed: 0, outDir: localOut, evaluate: candidateAccuracy(data, 0), measure: 'accuracy' });

  const [w1, w2] = [startWorker(), startWorker()] as [Running, Running];
  await waitFor('both workers to connect', () => workers.every((w) => /^worker on /m.test(w.output())));
  const args = ['plan', MODEL, '--target', 'pixel7', '--latency-ms', String(latencyMs), '--data', join('samples', 'data'), '--search-images', String(SEARCH_IMAGES), '--queue', url, '--store', store];
  const out = join(dir, 'queued');
  const coordinator = startCli([...args, '--out', out, '--json']);
  // Kill worker 1 (and its sandboxed child) while it holds a job, after it finished at least one.
  await waitFor('worker 1 to be mid-job', () => {
    const { started, done } = jobLines(w1.output());
    return done.length >= 1 && started.length > done.length;
  });
  const lost = jobLines(w1.output()).started.filter((id) => !jobLines(w1.output()).done.includes(id));
  assert.ok(lost.length >= 1);
  killGroup(w1, 'SIGKILL');
  const r = await coordinator.done;
  assert.equal(r.status, 0, r.stderr);
  assert.equal(await readFile(join(out, 'plan.json'), 'utf8'), await readFile(join(localOut, 'plan.json'), 'utf8'));
  assert.equal(await readFile(join(out, 'history.jsonl'), 'utf8'), await readFile(join(localOut, 'history.jsonl'), 'utf8'));
  const rounds = (await readFile(join(out, 'history.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { round: number }).round);
  assert.deepEqual(rounds, rounds.map((_, i) => i + 1), 'each round once, in order');
  assert.ok(rounds.length >= 1);
  // The job worker 1 died holding was finished by worker 2; no job finished twice.
  const w2Jobs = jobLines(w2.output());
  for (const id of lost) assert.ok(w2Jobs.done.includes(id), `job ${id} lost with worker 1 was not retried on worker 2`);
  assert.equal(new Set(w2Jobs.done).size, w2Jobs.done.length);

  // The coordinator again (as after a crash): every job is found finished in the queue; nothing runs again.
  const before = jobLines(w2.output()).started.length;
  const again = await startCli([...args, '--out', join(dir, 'again'), '--json']).done;
  assert.equal(again.status, 0, again.stderr);
  assert.equal(await readFile(join(dir, 'again', 'plan.json'), 'utf8'), await readFile(join(localOut, 'plan.json'), 'utf8'));
  assert.equal(jobLines(w2.output()).started.length, before, 'a rerun reuses the finished jobs');

  // The password appears nowhere: not in any output, not in the run folders.
  for (const text of [r.stdout, r.stderr, again.stdout, again.stderr, w1.output(), w2.output(), await allText(out)]) assert.ok(!text.includes(PASSWORD));
  assert.match(w2.output(), /redis:\/\/:\*\*\*@127\.0\.0\.1/);
});

test('bad payloads sent straight to the queue come back from a real worker as typed errors', async () => {
  if (!workers.some((w) => w.child.exitCode === null && w.child.signalCode === null)) startWorker();
  const queue = new Queue('edge-prune', { connection: { host: '127.0.0.1', port, password: PASSWORD } });
  try {
    const hash = 'b'.repeat(64);
    const cases: [unknown, string][] = [
      [{ kind: 'format-disk', version: 1 }, 'INVALID_JOB'],
      [{ kind: 'evaluate', version: 1, model: { sha256: hash }, plan: { sha256: hash }, quality: { measure: 'fidelity' }, seed: 0, lockUnknown: false }, 'INPUT_MISMATCH'],
      [{ kind: 'evaluate', version: 1, model: { sha256: hash, path: '../../etc/passwd' }, plan: { sha256: hash }, quality: { measure: 'fidelity' }, seed: 0, lockUnknown: false }, 'PATH_ESCAPE'],
    ];
    for (const [i, [payload, code]] of cases.entries()) {
      const job = await queue.add('bad', payload, { jobId: `bad-${i}` });
      let state = '';
      await (async () => {
        for (let t = 0; t < 600 && state !== 'completed' && state !== 'failed'; t++) {
          state = await job.getState();
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const done = await queue.getJob(`bad-${i}`);
      assert.equal(state, 'completed', `job ${i}: a typed error is a result, not a retry`);
      assert.equal((done?.returnvalue as { ok: boolean; error: { code: string } }).error.code, code);
    }
  } finally {
    await queue.close();
  }
});

test('Redis restarted mid-run (append-only): the run completes with the local result or fails typed, never with a half result', async (t) => {
  const bundle = await readBundle(MODEL);
  const localOut = join(dir, 'local-fidelity');
  await planSearch({ bundle, analysis: analyzeModel(bundle), target: loadTarget('pixel7'), budget: { latencyMs }, seed: 0, outDir: localOut, force: true });
  const live = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  const worker = live[0] ?? startWorker();
  const out = join(dir, 'restart');
  const startedBefore = jobLines(worker.output()).done.length;
  const coordinator = startCli(['plan', MODEL, '--target', 'pixel7', '--latency-ms', String(latencyMs), '--force', '--queue', url, '--store', store, '--queue-timeout', '60', '--out', out, '--json']);
  await waitFor('a few jobs done', () => jobLines(worker.output()).done.length >= startedBefore + 3);
  killGroup(redis as Running, 'SIGTERM');
  await (redis as Running).done;
  await new Promise((r) => setTimeout(r, 1500));
  redis = await startRedis(port, dir, PASSWORD);
  const r = await coordinator.done;
  t.diagnostic(`after the Redis restart the run ${r.status === 0 ? 'completed' : `failed with exit ${r.status}`}`);
  if (r.status === 0) {
    assert.equal(await readFile(join(out, 'plan.json'), 'utf8'), await readFile(join(localOut, 'plan.json'), 'utf8'));
    assert.equal(await readFile(join(out, 'history.jsonl'), 'utf8'), await readFile(join(localOut, 'history.jsonl'), 'utf8'));
  } else {
    assert.equal(r.status, 16, r.stderr);
    assert.match(r.stdout, /QUEUE_UNAVAILABLE/);
    await assert.rejects(readFile(join(out, 'plan.json'), 'utf8'));
  }
  assert.ok(!r.stdout.includes(PASSWORD) && !r.stderr.includes(PASSWORD));
});
