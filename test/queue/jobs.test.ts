// Queue jobs without Redis: the store refuses escapes and altered bytes, payloads are validated, URLs are masked, and a job equals the in-process evaluation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { scoreModel } from '../../src/score/score-model.ts';
import { planFromRatios } from '../../src/search/ratio-plan.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { inProcessEvaluator } from '../../src/search/candidate-evaluator.ts';
import { fidelityEvaluator, fidelityInputShape, seededInputs } from '../../src/search/fidelity.ts';
import { ContentStore } from '../../src/queue/store.ts';
import { decodeBundle, encodeBundle, putBundle, putJson } from '../../src/queue/codec.ts';
import { runJob } from '../../src/queue/run-job.ts';
import { jobIdOf, parseJobPayload } from '../../src/queue/payloads.ts';
import { maskQueueUrl, parseQueueUrl } from '../../src/queue/queue-url.ts';
import { withJobTimeout } from '../../src/queue/processor.ts';

const errorCode = (r: Awaited<ReturnType<typeof runJob>>): string => (r.ok ? 'ok' : r.error.code);

test('a queue URL parses into a connection; its password never appears in the shown form or in errors', () => {
  const a = parseQueueUrl('redis://:s3cret@queue.lan:6380/2');
  assert.deepEqual(a.connection, { host: 'queue.lan', port: 6380, db: 2, password: 's3cret' });
  assert.equal(a.shown, 'redis://:***@queue.lan:6380/2');
  assert.equal(maskQueueUrl('redis://user:p%40ss@h:1'), 'redis://user:***@h:1');
  assert.equal(parseQueueUrl('redis://127.0.0.1').connection.port, 6379);
  for (const bad of ['http://:s3cret@h:1', 'redis://:s3cret@h:1/x', 'redis://:s3cret@h:1/0?a=1']) {
    assert.throws(() => parseQueueUrl(bad), (e: Error & { code?: string }) => e.code === 'INVALID_ARGUMENT' && !e.message.includes('s3cret'));
  }
});

test('bad payloads and inputs come back as typed job errors: unknown kind, malformed or wrong hash, paths escaping the store', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ep-store-'));
  const outside = await mkdtemp(join(tmpdir(), 'ep-outside-'));
  const store = new ContentStore(root);
  const bundle = await readBundle('samples/vgg/model.json');
  const model = await putBundle(store, bundle);
  const plan = await putJson(store, { version: 1, criterion: 'fscl', groups: [] });
  const good = { kind: 'evaluate', version: 1, model, plan, quality: { measure: 'fidelity' }, seed: 0, lockUnknown: false };
  assert.equal(errorCode(await runJob({ ...good, kind: 'format-disk' }, root)), 'INVALID_JOB');
  assert.equal(errorCode(await runJob({ ...good, extra: 1 }, root)), 'INVALID_JOB');
  assert.equal(errorCode(await runJob({ ...good, model: { sha256: 'ABC' } }, root)), 'INVALID_JOB');
  assert.equal(errorCode(await runJob('not an object', root)), 'INVALID_JOB');
  // A well-formed hash of something not in the store, and a stored file whose bytes no longer match its hash.
  assert.equal(errorCode(await runJob({ ...good, model: { sha256: 'a'.repeat(64) } }, root)), 'INPUT_MISMATCH');
  await writeFile(join(root, 'objects', plan.sha256), '{"version":1,"criterion":"fscl","groups":[{"id":"x"}]}');
  assert.equal(errorCode(await runJob(good, root)), 'INPUT_MISMATCH');
  // Paths: `..`, absolute, and a symlink inside the store that leads outside it.
  await writeFile(join(outside, 'secret'), 'secret');
  await mkdir(join(root, 'links'));
  await symlink(join(outside, 'secret'), join(root, 'links', 'secret'));
  for (const path of ['../ep-outside/secret', '/etc/passwd', 'links/secret', 'objects/../../x']) {
    const r = await runJob({ ...good, model: { ...model, path } }, root);
    assert.equal(errorCode(r), 'PATH_ESCAPE', path);
  }
  assert.equal(errorCode(await runJob(good, join(root, 'missing'))), 'INPUT_MISMATCH');
  // The same payload always has the same id; a changed field gives another.
  const parsed = parseJobPayload(good);
  assert.equal(jobIdOf(parsed), jobIdOf(parseJobPayload(JSON.parse(JSON.stringify(good)))));
  assert.notEqual(jobIdOf(parsed), jobIdOf(parseJobPayload({ ...good, seed: 1 })));
});

test('a stored model round-trips bit for bit, and an evaluate job gives exactly the in-process quality', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ep-store-'));
  const store = new ContentStore(root);
  const bundle = await readBundle('samples/vgg/model.json');
  const back = decodeBundle(encodeBundle(bundle), 'blob');
  assert.deepEqual(back, bundle);
  const analysis = analyzeModel(bundle);
  const plan = planFromRatios(analysis.groups, scoreModel('fscl', { bundle, graph: analysis.graph, groups: analysis.groups, seed: 0 }), 0.5, 8);
  const shape = fidelityInputShape(analysis.graph);
  const local = await (await fidelityEvaluator(bundle, seededInputs(shape, 3), shape))(applyPlan(bundle, analysis.groups, plan));
  const result = await runJob({ kind: 'evaluate', version: 1, model: await putBundle(store, bundle), plan: await putJson(store, plan), quality: { measure: 'fidelity' }, seed: 3, lockUnknown: false }, root);
  assert.deepEqual(result, { ok: true, value: { quality: local } });
  assert.ok(local > 0 && local < 1, String(local));
  // A plan storing uint8 weights (the search's encoding check) is measured with that rounding, on a worker as in process.
  const encoded = { ...plan, encoding: 'uint8' as const };
  const [inProcess] = await inProcessEvaluator(bundle, analysis.groups, await fidelityEvaluator(bundle, seededInputs(shape, 3), shape)).evaluatePlans([encoded]);
  const onWorker = await runJob({ kind: 'evaluate', version: 1, model: await putBundle(store, bundle), plan: await putJson(store, encoded), quality: { measure: 'fidelity' }, seed: 3, lockUnknown: false }, root);
  assert.deepEqual(onWorker, { ok: true, value: { quality: inProcess } });
  assert.notEqual(inProcess, local, 'uint8 rounding changes the measured quality');
});

test('a job over its timeout calls its stop (the sandboxed child exits there) and still returns; one within it does not', async () => {
  let stopped = 0;
  const slow = new Promise<number>((resolve) => setTimeout(() => resolve(7), 100));
  assert.equal(await withJobTimeout(slow, 5, () => (stopped += 1)), 7);
  assert.equal(stopped, 1);
  assert.equal(await withJobTimeout(Promise.resolve(42), 60_000, () => (stopped += 1)), 42);
  await assert.rejects(withJobTimeout(Promise.reject(new Error('own failure')), 60_000, () => (stopped += 1)), /own failure/);
  assert.equal(stopped, 1);
});
