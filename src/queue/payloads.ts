// Job payloads and results on the queue, validated with zod like any other input; a job's id is its payload's hash.
import { z } from 'zod';
import { fail } from '../core/errors.ts';
import { sha256Of } from './store.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256');
/** A store input: its hash and, optionally, its path relative to the store. */
const ref = z.strictObject({ sha256, path: z.string().min(1).max(1024).optional() });
const seed = z.number().int().min(0).max(2 ** 31 - 1);

/** How a candidate's quality is measured: accuracy or agreement on stored data (after BN re-estimation), or logit fidelity on seeded inputs. */
const quality = z.discriminatedUnion('measure', [
  z.strictObject({ measure: z.literal('accuracy'), bn: ref, eval: ref }),
  z.strictObject({ measure: z.literal('agreement'), bn: ref, eval: ref }),
  z.strictObject({ measure: z.literal('fidelity') }),
]);

/** Evaluate one candidate plan of a search round against the original model. */
const evaluateJob = z.strictObject({ kind: z.literal('evaluate'), version: z.literal(1), model: ref, plan: ref, quality, seed, lockUnknown: z.boolean() });

/** Fine-tune a pruned model (distilling from the teacher when given); the result is stored. */
const finetuneJob = z.strictObject({
  kind: z.literal('finetune'), version: z.literal(1), model: ref, teacher: ref.optional(), train: ref, validation: ref.optional(),
  epochs: z.number().int().min(1).max(10_000), seed, backend: z.enum(['auto', 'tfjs-node', 'wasm', 'cpu']).optional(),
});

/** One row of the criteria benchmark (its spec is validated by the bench's own schema when it runs). */
const benchRowJob = z.strictObject({ kind: z.literal('bench-row'), version: z.literal(1), spec: ref });

/** Every job kind the workers run. */
export const jobPayloadSchema = z.discriminatedUnion('kind', [evaluateJob, finetuneJob, benchRowJob]);

/** A validated job payload. */
export type JobPayload = z.infer<typeof jobPayloadSchema>;
/** A store input as a payload names it. */
export type PayloadRef = z.infer<typeof ref>;
/** An evaluate job. */
export type EvaluateJob = z.infer<typeof evaluateJob>;
/** A fine-tune job. */
export type FinetuneJob = z.infer<typeof finetuneJob>;
/** A criteria-benchmark row job. */
export type BenchRowJob = z.infer<typeof benchRowJob>;

/** How a timed-out job's failure reason starts (the coordinator turns it into a typed QUEUE_TIMEOUT). */
export const TIMEOUT_REASON = 'QUEUE_TIMEOUT';

/** What a job returns: a value, or the typed error that stopped it (never retried: the inputs are wrong). */
export type JobResult =
  | { ok: true; value: unknown }
  | { ok: false; error: { code: string; expected: string; found: string; where: string; hint: string } };

/** Validate a job payload; INVALID_JOB names the first problem (unknown kind, malformed hash, extra field). */
export function parseJobPayload(raw: unknown): JobPayload {
  const parsed = jobPayloadSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail('INVALID_JOB', {
      expected: 'a job payload of kind evaluate, finetune or bench-row', found: issue?.message ?? 'an invalid payload',
      where: `job payload${issue && issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}`,
      hint: 'the coordinator and the workers must run the same edge-prune version',
    });
  }
  return parsed.data;
}

/** JSON text with object keys sorted, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/** A job's id: the hash of its payload, so the same work is queued once and a resumed run finds it finished. */
export function jobIdOf(payload: JobPayload): string {
  return `${payload.kind}-${sha256Of(canonicalJson(payload))}`;
}
