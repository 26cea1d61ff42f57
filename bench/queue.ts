// Benchmark: candidate evaluations per second in-process and on 1 and 2 local queue workers (redis-server on a random port), for the scale-out section.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../src/bundle/read-bundle.ts';
import { analyzeModel } from '../src/analyze/analyze-model.ts';
import { scoreModel } from '../src/score/score-model.ts';
import { planFromRatios } from '../src/search/ratio-plan.ts';
import { loadRunData } from '../src/data/run-data.ts';
import { candidateAccuracy } from '../src/runtime/candidate-accuracy.ts';
import { inProcessEvaluator } from '../src/search/candidate-evaluator.ts';
import { JobQueue } from '../src/queue/job-queue.ts';
import { queueEvaluator } from '../src/queue/queue-evaluator.ts';
import type { PrunePlan } from '../src/core/types.ts';
import { freePort, killGroup, startCli, startRedis, waitFor, type Running } from '../test/queue/processes.ts';

/** One way of evaluating a round's candidates, with its throughput. */
export interface QueueBenchRow {
  label: string;
  workers: number;
  candidates: number;
  seconds: number;
  perSecond: number;
}

/** The figures of the section. */
export interface QueueBench {
  model: string;
  searchImages: number;
  rows: QueueBenchRow[];
  load: { before: number; after: number };
}

const SEARCH_IMAGES = 256;

/** A round's worth of candidate plans on the VGG sample: each prunable group cut by 25% and 50% (its lowest-FSCL channels). */
function candidatePlans(analysis: ReturnType<typeof analyzeModel>, bundle: Awaited<ReturnType<typeof readBundle>>): PrunePlan[] {
  const scores = scoreModel('fscl', { bundle, graph: analysis.graph, groups: analysis.groups, seed: 0 });
  const plans: PrunePlan[] = [];
  for (const ratio of [0.25, 0.5]) {
    for (const g of analysis.groups.filter((x) => !x.locked)) plans.push(planFromRatios(analysis.groups, scores, { [g.id]: ratio }, 8));
  }
  return plans;
}

/** Candidate evaluations per second: in this process, then on 1 and 2 local workers (one sandboxed job each). */
export async function benchQueue(): Promise<QueueBench> {
  const loadBefore = loadavg()[0] ?? 0;
  const model = join('samples', 'vgg', 'model.json');
  const bundle = await readBundle(model);
  const analysis = analyzeModel(bundle);
  const plans = candidatePlans(analysis, bundle);
  const data = await loadRunData(bundle, join('samples', 'data'), 0, SEARCH_IMAGES);
  const rows: QueueBenchRow[] = [];
  const timed = async (label: string, workers: number, run: () => Promise<unknown>): Promise<void> => {
    const t0 = performance.now();
    await run();
    const seconds = (performance.now() - t0) / 1000;
    rows.push({ label, workers, candidates: plans.length, seconds, perSecond: plans.length / seconds });
  };
  await inProcessEvaluator(bundle, analysis.groups, candidateAccuracy(data, 99)).evaluatePlans(plans.slice(0, 1));
  await timed('in-process (no --queue)', 0, () => inProcessEvaluator(bundle, analysis.groups, candidateAccuracy(data, 0)).evaluatePlans(plans));

  const dir = await mkdtemp(join(tmpdir(), 'ep-bench-queue-'));
  const store = join(dir, 'store');
  await mkdir(store);
  const port = await freePort();
  const password = 'bench';
  const redis = await startRedis(port, dir, password);
  const url = `redis://:${password}@127.0.0.1:${port}`;
  const workers: Running[] = [];
  const jobs = await JobQueue.open(url, { pollMs: 50 });
  try {
    for (const [n, seed] of [[1, 1], [2, 2]] as const) {
      while (workers.length < n) workers.push(startCli(['worker', '--queue', url, '--store', store, '--concurrency', '1']));
      await waitFor('workers', () => workers.every((w) => /^worker on /m.test(w.output())));
      // Warm-up: every worker's child loads the engine, the model and the data once (distinct seeds: jobs are never reused across rows).
      const warm = await queueEvaluator(jobs, store, bundle, { measure: 'accuracy', searchBn: data.searchBn, searchEval: data.searchEval }, { seed: 100 + n, lockUnknown: false });
      await warm.evaluatePlans(plans.slice(0, 2 * n));
      const evaluator = await queueEvaluator(jobs, store, bundle, { measure: 'accuracy', searchBn: data.searchBn, searchEval: data.searchEval }, { seed, lockUnknown: false });
      await timed(`${n} local worker${n > 1 ? 's' : ''} (--queue)`, n, () => evaluator.evaluatePlans(plans));
    }
  } finally {
    await jobs.close();
    for (const w of workers) killGroup(w, 'SIGTERM');
    killGroup(redis, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
  return { model, searchImages: SEARCH_IMAGES, rows, load: { before: loadBefore, after: loadavg()[0] ?? 0 } };
}

/** The section's lines. */
export function describeQueue(b: QueueBench): string[] {
  return [
    `candidate evaluations (BN re-estimation on ${b.searchImages} + accuracy on ${b.searchImages} images, ${b.model}; ${cpus().length} cores, load ${b.load.before.toFixed(1)} → ${b.load.after.toFixed(1)})`,
    ...b.rows.map((r) => `  ${r.label.padEnd(26)} ${r.candidates} candidates in ${r.seconds.toFixed(1).padStart(5)} s = ${r.perSecond.toFixed(2)} /s`),
  ];
}
