// A tiny criteria benchmark run locally and over a real redis-server with two workers: the same rows (timings aside), each once, the jobs carrying store hashes and no paths.
// tier: full (starts redis-server, two workers and two benchmark processes; each row fine-tunes and times its exports)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, jobLines, killGroup, start, startCli, startRedis, waitFor, type Running } from './processes.ts';

const PASSWORD = 'pw-bench-never-printed';
let dir = '';
let redis: Running | undefined;
const workers: Running[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ep-bench-q-'));
  // The processes started here (workers' scratch exports included) keep their temporary files in `dir`, removed after.
  process.env['TMPDIR'] = dir;
});

after(async () => {
  for (const w of workers) killGroup(w, 'SIGKILL');
  if (redis) killGroup(redis, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** A benchmark row without what depends on the machine's speed (latencies, speed-ups, seconds, dates). */
function withoutTimings(row: Record<string, unknown>): Record<string, unknown> {
  const { speedupTfjs: _a, speedupOnnx: _b, speedupTfjsMin: _c, speedupOnnxMin: _d, tfjs: _e, onnx: _f, seconds: _g, finishedAt: _h, finetune, ...rest } = row;
  const { seconds: _i, imagesPerSecond: _j, ...tune } = finetune as Record<string, unknown>;
  return { ...rest, finetune: tune };
}

/** The rows of a benchmark checkpoint (no baselines), timings dropped, in a stable order. */
async function rowsOf(out: string): Promise<Record<string, unknown>[]> {
  const lines = (await readFile(join(out, 'criteria.partial.jsonl'), 'utf8')).split('\n').filter((l) => l.trim());
  const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r['kind'] !== 'baseline').map(withoutTimings);
  return rows.sort((a, b) => String(a['criterion']).localeCompare(String(b['criterion'])));
}

test('two workers run the rows of a small criteria benchmark with the local run\'s results, reading only hashes from the store', async () => {
  const store = join(dir, 'store');
  await mkdir(store);
  const port = await freePort();
  const url = `redis://:${PASSWORD}@127.0.0.1:${port}`;
  redis = await startRedis(port, dir, PASSWORD);
  for (let i = 0; i < 2; i++) workers.push(startCli(['worker', '--queue', url, '--store', store, '--jobs', join('bench', 'criteria', 'row-jobs.ts')]));
  const bench = (out: string, extra: string[] = []): Running => start(process.execPath, ['--import', 'tsx', join('bench', 'criteria.ts'),
    '--samples', 'vgg', '--cuts', '0.5', '--criteria', 'fscl,l1', '--budget-criteria', 'none', '--seeds', '1', '--epochs', '1',
    '--train-limit', '64', '--test-limit', '64', '--bn-images', '64', '--latency-rounds', '1', '--latency-runs', '1',
    '--data', join('samples', 'data'), '--out', out, ...extra]);
  const local = bench(join(dir, 'local'));
  await waitFor('both workers to connect', () => workers.every((w) => /^worker on /m.test(w.output())));
  const queued = bench(join(dir, 'queued'), ['--queue', url, '--store', store]);
  const [l, q] = await Promise.all([local.done, queued.done]);
  assert.equal(l.status, 0, l.stderr);
  assert.equal(q.status, 0, q.stderr);

  const localRows = await rowsOf(join(dir, 'local'));
  assert.equal(localRows.length, 2);
  assert.deepEqual(await rowsOf(join(dir, 'queued')), localRows);
  const done = workers.flatMap((w) => jobLines(w.output()).done);
  assert.equal(done.length, 2, 'one job per row');
  assert.equal(new Set(done).size, 2);
  // The row specs in the store name their inputs by hash only: no path of the coordinator's machine.
  const specs: string[] = [];
  for (const name of await readdir(join(store, 'objects'))) {
    const text = await readFile(join(store, 'objects', name), 'utf8').catch(() => '');
    if (text.startsWith('{"sample"')) specs.push(text);
  }
  assert.equal(specs.length, 2);
  for (const s of specs) assert.ok(!s.includes('/') && !s.includes(dir), s);
  for (const text of [q.stdout, q.stderr, ...workers.map((w) => w.output())]) assert.ok(!text.includes(PASSWORD));
});
