// What a worker does with one job: validate the payload, fetch and verify its inputs from the store, run it, return a result or a typed error.
import type { ChannelGroup, ModelBundle, PrunePlan } from '../core/types.ts';
import { fail, isEdgePruneError, type EdgePruneError } from '../core/errors.ts';
import type { ImageDataset } from '../data/dataset.ts';
import { analyzeModel } from '../analyze/analyze-model.ts';
import { validatePlan } from '../prune/validate-plan.ts';
import { candidateOf } from '../prune/candidate.ts';
import { fidelityEvaluator, fidelityInputShape, seededInputs } from '../search/fidelity.ts';
import { ContentStore } from './store.ts';
import { decodeBundle, decodeDatasetBlob, putBundle } from './codec.ts';
import { parseJobPayload, type EvaluateJob, type FinetuneJob, type JobResult, type PayloadRef } from './payloads.ts';

/** Runs a job kind the queue room cannot hold itself (the criteria benchmark's rows live in bench/). */
export type ExtraJobRunner = (spec: unknown, store: ContentStore) => Promise<unknown>;

/** Per-process caches: a worker's sandboxed child keeps the last few models, datasets and evaluators between jobs. */
const cache = new Map<string, Promise<unknown>>();
const CACHE_ENTRIES = 8;

/** A cached value (computed once per key, evicting the oldest beyond CACHE_ENTRIES); a failed computation is not kept. */
function cached<T>(key: string, make: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit) return hit as Promise<T>;
  const made = make();
  cache.set(key, made);
  made.catch(() => cache.delete(key));
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  return made;
}

/** The cache key of an input: its hash and where it lies (a path is checked again whenever it changes). */
const keyOf = (ref: PayloadRef): string => `${ref.sha256}@${ref.path ?? ''}`;

/** Where an input came from, for messages. */
const label = (ref: PayloadRef): string => `store:${ref.sha256.slice(0, 12)}`;

/** A stored model and its channel groups (analyzed as the coordinator did). */
function modelOf(store: ContentStore, ref: PayloadRef, lockUnknown: boolean): Promise<{ bundle: ModelBundle; groups: ChannelGroup[]; analysis: ReturnType<typeof analyzeModel> }> {
  return cached(`model:${keyOf(ref)}:${lockUnknown}`, async () => {
    const bundle = decodeBundle(await store.get(ref), label(ref));
    const analysis = analyzeModel(bundle, { lockUnknown });
    return { bundle, groups: analysis.groups, analysis };
  });
}

/** A stored dataset. */
function dataOf(store: ContentStore, ref: PayloadRef): Promise<ImageDataset> {
  return cached(`data:${keyOf(ref)}`, async () => decodeDatasetBlob(await store.get(ref), label(ref)));
}

/** The candidate-quality function of an evaluate job (cached: agreement and fidelity hold the unpruned model's outputs). */
function qualityOf(store: ContentStore, job: EvaluateJob): Promise<(candidate: ModelBundle) => Promise<number>> {
  const q = job.quality;
  const key = q.measure === 'fidelity' ? `fidelity:${keyOf(job.model)}:${job.seed}` : `${q.measure}:${keyOf(job.model)}:${keyOf(q.bn)}:${keyOf(q.eval)}:${job.seed}`;
  return cached(key, async () => {
    const { bundle, analysis } = await modelOf(store, job.model, job.lockUnknown);
    if (q.measure === 'fidelity') {
      const shape = fidelityInputShape(analysis.graph);
      return fidelityEvaluator(bundle, seededInputs(shape, job.seed), shape);
    }
    const data = { searchBn: await dataOf(store, q.bn), searchEval: await dataOf(store, q.eval) };
    const { candidateAccuracy, candidateAgreement } = await import('../runtime/candidate-accuracy.ts');
    return q.measure === 'accuracy' ? candidateAccuracy(data, job.seed) : candidateAgreement(data, bundle, job.seed);
  });
}

/** Quality of one candidate plan, exactly as the in-process search measures it. */
async function runEvaluate(store: ContentStore, job: EvaluateJob): Promise<{ quality: number }> {
  const { bundle, groups } = await modelOf(store, job.model, job.lockUnknown);
  const where = label(job.plan);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(await store.get(job.plan)).toString('utf8'));
  } catch (error) {
    if (isEdgePruneError(error)) throw error;
    return fail('INVALID_PLAN', { expected: 'a plan as JSON', found: 'other bytes', where, hint: 'let the coordinator store the plan again' });
  }
  validatePlan(groups, raw, where);
  const evaluate = await qualityOf(store, job);
  return { quality: await evaluate(candidateOf(bundle, groups, raw as PrunePlan)) };
}

/** Fine-tune a stored pruned model; the tuned model goes back into the store. */
async function runFinetune(store: ContentStore, job: FinetuneJob): Promise<{ model: { sha256: string }; summary: unknown }> {
  const bundle = decodeBundle(await store.get(job.model), label(job.model));
  const teacher = job.teacher ? decodeBundle(await store.get(job.teacher), label(job.teacher)) : undefined;
  const train = await dataOf(store, job.train);
  const validation = job.validation ? await dataOf(store, job.validation) : undefined;
  const { finetune } = await import('../finetune/finetune.ts');
  const result = await finetune(bundle, {
    train, epochs: job.epochs, seed: job.seed,
    ...(validation ? { validation } : {}), ...(teacher ? { teacher } : {}), ...(job.backend ? { backend: job.backend } : {}),
  });
  return { model: await putBundle(store, result.bundle), summary: result.summary };
}

/** The typed error as a job result (sent back, never retried). */
function errorResult(error: EdgePruneError): JobResult {
  return { ok: false, error: { code: error.code, expected: error.expected, found: error.found, where: error.where, hint: error.hint } };
}

/**
 * Run one job read from the queue against the store at `storeRoot`. Bad payloads and missing or
 * mismatched inputs come back as typed errors in the result; anything else throws, so the queue
 * retries the job (on this worker or another).
 */
export async function runJob(raw: unknown, storeRoot: string, extra: Record<string, ExtraJobRunner> = {}): Promise<JobResult> {
  const store = new ContentStore(storeRoot);
  try {
    const job = parseJobPayload(raw);
    if (job.kind === 'evaluate') return { ok: true, value: await runEvaluate(store, job) };
    if (job.kind === 'finetune') return { ok: true, value: await runFinetune(store, job) };
    const runner = extra[job.kind];
    if (!runner) {
      fail('INVALID_JOB', { expected: `a worker that runs ${job.kind} jobs`, found: 'this worker does not', where: 'job payload.kind', hint: 'for benchmark rows, start the worker from a source checkout with `edge-prune worker --jobs bench/criteria/row-jobs.ts`' });
    }
    return { ok: true, value: await runner(JSON.parse(Buffer.from(await store.get(job.spec)).toString('utf8')), store) };
  } catch (error) {
    if (isEdgePruneError(error)) return errorResult(error);
    // An extra runner's own schema (zod) rejecting its spec: as typed as any other bad payload.
    if (error instanceof Error && error.name === 'ZodError') {
      return { ok: false, error: { code: 'INVALID_JOB', expected: 'a valid job spec', found: error.message.slice(0, 300), where: 'job spec', hint: 'the coordinator and the workers must run the same edge-prune version' } };
    }
    throw error;
  }
}
