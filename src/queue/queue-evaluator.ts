// The search's candidates and the pipeline's fine-tune as queue jobs: inputs put into the store once, jobs addressed by hashes.
import { z } from 'zod';
import type { ModelBundle } from '../core/types.ts';
import type { ImageDataset } from '../data/dataset.ts';
import type { CandidateEvaluator } from '../search/candidate-evaluator.ts';
import type { FinetuneSummary } from '../finetune/finetune.ts';
import { ContentStore } from './store.ts';
import { decodeBundle, putBundle, putDataset, putJson } from './codec.ts';
import type { JobQueue } from './job-queue.ts';
import { parseJobPayload, type EvaluateJob, type FinetuneJob } from './payloads.ts';

/** How candidates are measured: the same choice the in-process search makes from the run's data. */
export type QueueQuality =
  | { measure: 'accuracy' | 'agreement'; searchBn: ImageDataset; searchEval: ImageDataset }
  | { measure: 'fidelity' };

const evaluateValue = z.strictObject({ quality: z.number() });
const finetuneValue = z.strictObject({ model: z.strictObject({ sha256: z.string() }), summary: z.record(z.string(), z.unknown()) });

/** A CandidateEvaluator whose candidates run as evaluate jobs on the queue's workers; equal results to the in-process one. */
export async function queueEvaluator(jobs: JobQueue, storeRoot: string, bundle: ModelBundle, quality: QueueQuality, options: { seed: number; lockUnknown: boolean }): Promise<CandidateEvaluator> {
  const store = new ContentStore(storeRoot);
  const model = await putBundle(store, bundle);
  const measured: EvaluateJob['quality'] = quality.measure === 'fidelity'
    ? { measure: 'fidelity' }
    : { measure: quality.measure, bn: await putDataset(store, quality.searchBn), eval: await putDataset(store, quality.searchEval) };
  return {
    async evaluatePlans(plans, onDone) {
      const payloads: EvaluateJob[] = [];
      for (const plan of plans) payloads.push({ kind: 'evaluate', version: 1, model, plan: await putJson(store, plan), quality: measured, seed: options.seed, lockUnknown: options.lockUnknown });
      const values = await jobs.run(payloads, onDone);
      return values.map((v) => evaluateValue.parse(v).quality);
    },
  };
}

/** What a queued fine-tune needs (as `finetune()` takes it). */
export interface QueueFinetuneOptions {
  train: ImageDataset;
  validation?: ImageDataset;
  teacher?: ModelBundle;
  epochs: number;
  seed: number;
  /** Training backend name (checked against the job schema). */
  backend?: string;
}

/** Fine-tune `bundle` as one job on a worker; returns the tuned model (verified from the store) and the summary. */
export async function queueFinetune(jobs: JobQueue, storeRoot: string, bundle: ModelBundle, options: QueueFinetuneOptions): Promise<{ bundle: ModelBundle; summary: FinetuneSummary }> {
  const store = new ContentStore(storeRoot);
  const payload = parseJobPayload({
    kind: 'finetune', version: 1, model: await putBundle(store, bundle), train: await putDataset(store, options.train),
    ...(options.validation ? { validation: await putDataset(store, options.validation) } : {}),
    ...(options.teacher ? { teacher: await putBundle(store, options.teacher) } : {}),
    epochs: options.epochs, seed: options.seed, ...(options.backend ? { backend: options.backend } : {}),
  } satisfies Omit<FinetuneJob, 'backend'> & { backend?: string });
  const [value] = await jobs.run([payload]);
  const out = finetuneValue.parse(value);
  return { bundle: decodeBundle(await store.get(out.model), `store:${out.model.sha256.slice(0, 12)}`), summary: out.summary as unknown as FinetuneSummary };
}
