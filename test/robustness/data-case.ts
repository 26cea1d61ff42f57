// Data-folder corpus cases: a tiny two-class classifier, the in-process eval/finetune adapter, and the CLI command line.
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeJsonAtomic } from '../../src/core/atomic-write.ts';
import { hashString } from '../../src/core/random.ts';
import type { ModelBundle } from '../../src/core/types.ts';
import { finetune } from '../../src/finetune/finetune.ts';
import { evaluationSplit, loadData, loadDataForModel, trainingSplits } from '../../src/data/load-data.ts';
import { withEdgePruneMeta } from '../../src/data/normalization.ts';
import { writeBundle } from '../../src/bundle/write-bundle.ts';
import { ensureTrainingBackend } from '../../src/runtime/train-backend.ts';
import { evaluateAccuracy } from '../../src/runtime/train-eval.ts';
import { initializeWeights, toBundle } from '../../scripts/sample-architectures.ts';
import type { CorpusCase } from './case-types.ts';
import type { Materialized } from './materialize.ts';

/** Class names of the data model (the corpus's data folders hold `cat/` and `dog/`). */
export const DATA_CLASSES = ['cat', 'dog'];
/** Input size of the data model (the corpus's images are 8×8). */
export const DATA_INPUT: [number, number, number] = [8, 8, 3];

/** How a data case is run: `eval` and `finetune` as the commands do; `load` is the library loader without a model (no size to resize to). */
export type DataCommand = 'eval' | 'finetune' | 'load';

/** The command a data case runs (its own, else eval or finetune by a hash of its id). */
export function dataCommand(c: CorpusCase): DataCommand {
  return c.run.command ?? (hashString(c.id) % 2 === 0 ? 'eval' : 'finetune');
}

let model: Promise<{ bundle: ModelBundle; path: string }> | undefined;

/** Build the data model (8×8×3 → conv 4 → GAP → Dense 2, classes cat/dog) once per process, written to a temporary folder removed at exit. */
export function dataModel(): Promise<{ bundle: ModelBundle; path: string }> {
  model ??= (async () => {
    await ensureTrainingBackend();
    const input = tf.input({ name: 'input', shape: DATA_INPUT });
    const conv = tf.layers.conv2d({ name: 'conv1', filters: 4, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const gap = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(conv) as tf.SymbolicTensor;
    const out = tf.layers.dense({ name: 'fc', units: DATA_CLASSES.length }).apply(gap) as tf.SymbolicTensor;
    const layers = tf.model({ name: 'data_model', inputs: input, outputs: out });
    let bundle: ModelBundle;
    try {
      bundle = withEdgePruneMeta(initializeWeights(await toBundle(layers), 7), { classes: DATA_CLASSES, normalization: { scale: 1 / 255, offset: 0 } });
    } finally {
      layers.dispose();
    }
    const dir = await mkdtemp(join(tmpdir(), 'ep-robust-data-model-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return { bundle, path: await writeBundle(bundle, dir) };
  })();
  return model;
}

/** Run a data case in-process as its command would: load, then evaluate or fine-tune (one epoch) and write the bundle and summary. */
export async function runDataCase(c: CorpusCase, m: Materialized): Promise<string[]> {
  const path = join(m.dir, c.run.data ?? 'data');
  const command = dataCommand(c);
  if (command === 'load') {
    await loadData(path, { channels: 3, cacheDir: false });
    return [];
  }
  const { bundle } = await dataModel();
  if (command === 'eval') {
    const data = evaluationSplit(await loadDataForModel(bundle, path, { purpose: 'evaluation', cacheDir: false }));
    await evaluateAccuracy(bundle, data, { batch: 4 });
    return [];
  }
  const { train, validation } = trainingSplits(await loadDataForModel(bundle, path, { purpose: 'training', cacheDir: false }), 0.1, 0);
  const result = await finetune(bundle, { train, validation, epochs: 1, batch: 2, checkpointDir: join(m.outDir, 'checkpoints') });
  await writeBundle(result.bundle, m.outDir);
  await writeJsonAtomic(join(m.outDir, 'summary.json'), { epochs: result.summary.epochs });
  return [];
}

/** The CLI command line of a data case (eval or finetune on the data model); undefined for library-only cases. */
export async function dataCliArgs(c: CorpusCase, m: Materialized): Promise<string[] | undefined> {
  const command = dataCommand(c);
  if (command === 'load') return undefined;
  const { path } = await dataModel();
  const data = ['--data', join(m.dir, c.run.data ?? 'data'), '--no-cache'];
  if (command === 'eval') return ['eval', path, ...data, '--batch', '4'];
  return ['finetune', path, ...data, '--epochs', '1', '--batch', '2', '--out', m.outDir];
}
