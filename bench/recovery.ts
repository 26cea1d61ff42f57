// Recovery benchmark (issue #19): reconstruction, FSCL vs L1, against training the pruned architecture from scratch, on full CIFAR-10.
//
//   npm run bench:recovery [-- --train-limit N --test-limit N --out bench/results --tasks N --report-only]
//
// --report-only rewrites recovery.json, recovery.svg and the RESULTS.md section from the checkpoint file, running nothing.
// Resumable at two levels: finished checkpoints are appended to <out>/recovery.partial.jsonl, and every
// training run checkpoints each epoch (and every 10 minutes inside one) under <out>/recovery-work/; a rerun continues where it stopped.
// Order: the most informative work first (VGG −75% seed 1 start points and 1-epoch fine-tunes, FSCL +
// reconstruction to 5 epochs, scratch to 5, the −82% cut, then the other cells' start points, more epochs, cells and seeds).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchLogger } from './bench-logger.ts';
import { analyzeModel } from '../src/analyze/analyze-model.ts';
import { readBundle } from '../src/bundle/read-bundle.ts';
import { sampleDataset, type ImageDataset } from '../src/data/dataset.ts';
import { loadImageFolder } from '../src/data/image-folder.ts';
import { readClassNames } from '../src/data/normalization.ts';
import { evaluateAccuracy } from '../src/runtime/train-eval.ts';
import { advance, prepare, type Cell, type CellSettings, type SampleContext } from './recovery/cell.ts';
import { appendRecord, readRecords, rowKey, type BaselineRecord, type Method, type PrepRecord, type RowRecord } from './recovery/records.ts';
import { writeRecovery } from './recovery/report.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    'train-limit': { type: 'string', default: '0' },
    'test-limit': { type: 'string', default: '0' },
    data: { type: 'string', default: '/work/shared/datasets/cifar10' },
    out: { type: 'string', default: 'bench/results' },
    tasks: { type: 'string', default: '0' },
    'report-only': { type: 'boolean', default: false },
  },
});
const trainLimit = Number(values['train-limit']);
const testLimit = Number(values['test-limit']);
const maxTasks = Number(values.tasks);
const out = resolve(values.out as string);
const defaultOut = out === resolve('bench/results');
const logger = benchLogger(30_000);
const signature = `train=${trainLimit || 'all'};test=${testLimit || 'all'};bn=2048;recon=1024;round=8;ft=1,3,5;scratch=1,3,5,10,15`;
const settings: CellSettings = { work: join(out, 'recovery-work'), round: 8, bnImages: 2048, reconImages: 1024, finetuneEpochs: [1, 3, 5], scratchEpochs: [1, 3, 5, 10, 15], signature, logger };
const checkpoint = join(out, 'recovery.partial.jsonl');
const paths = { json: join(out, 'recovery.json'), svg: join(out, 'recovery.svg'), md: defaultOut ? resolve('bench/RESULTS.md') : join(out, 'RESULTS.md') };
const commandArgs = process.argv.slice(2).filter((a) => a !== '--report-only');
const command = `npm run bench:recovery${commandArgs.length ? ` -- ${commandArgs.join(' ')}` : ''}`;
const machine = `${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GB RAM, Node ${process.versions.node}, CPU shared with other jobs (times are upper bounds)`;

/** Data folders, loaded once. */
const folders = new Map<string, ImageDataset>();
async function folder(dir: string, classes: string[] | undefined): Promise<ImageDataset> {
  const known = folders.get(dir);
  if (known) return known;
  const loaded = (await loadImageFolder(dir, { size: [32, 32], channels: 3, ...(classes ? { classes } : {}) })).dataset;
  folders.set(dir, loaded);
  return loaded;
}

/** A sample with its data and unpruned accuracy (measured once per settings). */
const samples = new Map<string, SampleContext>();
async function sample(name: string): Promise<SampleContext> {
  const known = samples.get(name);
  if (known) return known;
  const bundle = await readBundle(resolve('samples', name, 'model.json'));
  const classes = readClassNames(bundle);
  const trainAll = await folder(join(values.data as string, 'train'), classes);
  const testAll = await folder(join(values.data as string, 'test'), classes);
  const train = trainLimit > 0 ? sampleDataset(trainAll, trainLimit, 11) : trainAll;
  const test = testLimit > 0 ? sampleDataset(testAll, testLimit, 13) : testAll;
  const records = await readRecords(checkpoint);
  let base = records.find((r): r is BaselineRecord => r.kind === 'baseline' && r.sample === name && r.settings === signature);
  if (!base) {
    base = { kind: 'baseline', sample: name, accuracy: (await evaluateAccuracy(bundle, test)).accuracy, settings: signature };
    await appendRecord(checkpoint, base);
  }
  logger.info(`sample ${name}: unpruned ${(base.accuracy * 100).toFixed(2)}% on ${test.labels.length} test images; fine-tuning on ${train.labels.length} images`);
  const ctx: SampleContext = { name, bundle, analysis: analyzeModel(bundle), unpruned: base.accuracy, train, test };
  samples.set(name, ctx);
  return ctx;
}

/** The work queue, most informative first. */
type Task = { kind: 'prep'; cell: string; seed: number } | { kind: 'train'; cell: string; method: Method; seed: number; stopAt: number } | { kind: 'criteria'; args: string[] };
/** The criteria benchmark's ResNet budget-search rows (FSCL vs L1), 3 seeds, in its own resumable run. */
const CRITERIA_ARGS = ['--train-limit', '15000', '--samples', 'resnet', '--criteria', '', '--budget-criteria', 'fscl,l1', '--seeds', '1,2,3', '--latency-rounds', '2', '--data', values.data as string, '--out', join(out, 'resnet-budget-seeds')];
const CELLS: Record<string, { sample: string; cut: number }> = { 'vgg-75': { sample: 'vgg', cut: 0.75 }, 'vgg-82': { sample: 'vgg', cut: 0.82 }, 'resnet-75': { sample: 'resnet', cut: 0.75 } };
const TUNED: Method[] = ['fscl+recon', 'fscl', 'l1+recon'];
function cellTasks(cell: string, seed: number, withPrep: boolean): Task[] {
  const train = (methods: Method[], stopAt: number): Task[] => methods.map((method) => ({ kind: 'train', cell, method, seed, stopAt }));
  return [
    ...(withPrep ? [{ kind: 'prep', cell, seed } as Task] : []),
    ...train(TUNED, 1), ...train(['scratch'], 5), ...train(TUNED, 3), ...train(TUNED, 5), ...train(['scratch'], 15),
  ];
}
const [first, ...rest] = cellTasks('vgg-75', 1, true);
const train = (cell: string, method: Method, stopAt: number): Task => ({ kind: 'train', cell, method, seed: 1, stopAt });
// After the 1-epoch rows: the cells that decide the goals (FSCL + reconstruction to 5 epochs, scratch to 5, the −82% cut).
const queue: Task[] = [
  first as Task, ...rest.slice(0, 2),
  train('vgg-75', 'fscl+recon', 5), train('vgg-75', 'scratch', 5), ...rest.slice(2, 3),
  { kind: 'prep', cell: 'vgg-82', seed: 1 }, train('vgg-82', 'fscl+recon', 5),
  { kind: 'prep', cell: 'resnet-75', seed: 1 }, { kind: 'prep', cell: 'vgg-75', seed: 2 },
  ...rest.slice(3),
  ...cellTasks('vgg-82', 1, false), ...cellTasks('resnet-75', 1, false), ...cellTasks('vgg-75', 2, false),
  { kind: 'criteria', args: CRITERIA_ARGS },
];
const label = (t: Task): string =>
  t.kind === 'prep' ? `${t.cell} s${t.seed}: prune (fscl, l1), BN re-estimation, reconstruction`
    : t.kind === 'train' ? `${t.cell} s${t.seed}: ${t.method} to ${t.stopAt} epoch(s)`
      : 'the criteria benchmark\'s ResNet budget-search rows, seeds 1-3 (bench/results/resnet-budget-seeds)';

/** Records under the current settings. */
async function current(): Promise<{ preps: PrepRecord[]; rows: RowRecord[] }> {
  const records = (await readRecords(checkpoint)).filter((r) => r.settings === signature);
  const rows = new Map<string, RowRecord>();
  for (const r of records) if (r.kind === 'row') rows.set(rowKey(r), r);
  const preps = new Map<string, PrepRecord>();
  for (const r of records) if (r.kind === 'prep') preps.set(`${r.cell}|${r.criterion}|${r.seed}`, r);
  return { preps: [...preps.values()], rows: [...rows.values()] };
}

/** Is a task finished (its records exist)? */
function finished(t: Task, preps: PrepRecord[], rows: RowRecord[]): boolean {
  if (t.kind === 'criteria') return existsSync(join(out, 'resnet-budget-seeds', 'done'));
  if (t.kind === 'prep') return ['fscl', 'l1'].every((c) => preps.some((p) => p.cell === t.cell && p.criterion === c && p.seed === t.seed));
  const checkpoints = (t.method === 'scratch' ? settings.scratchEpochs : settings.finetuneEpochs).filter((e) => e <= t.stopAt);
  return checkpoints.every((e) => rows.some((r) => rowKey(r) === rowKey({ cell: t.cell, method: t.method, seed: t.seed, epochs: e })));
}

async function report(): Promise<void> {
  const { preps, rows } = await current();
  const left = queue.filter((t) => !finished(t, preps, rows)).map(label);
  const pending = left.length > 6 ? [...left.slice(0, 6), `and ${left.length - 6} more tasks`] : left;
  await writeRecovery(paths, rows.map(({ kind: _k, cell: _c, settings: _s, ...row }) => row), preps, { command, machine, pending });
}

/** Run the criteria benchmark as a child (it resumes by itself) and wait for it. */
function runCriteria(args: string[]): Promise<void> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve('bench/criteria.ts'), ...args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? done() : reject(new Error(`bench/criteria.ts exited with ${code}`))));
  });
}

logger.info(`recovery benchmark → ${out} (settings ${signature})`);
if (values['report-only']) {
  await report();
  logger.info(`wrote ${paths.json}, ${paths.svg} and the recovery section of ${paths.md} from ${checkpoint}`);
  process.exit(0);
}
let ran = 0;
for (const task of queue) {
  const { preps, rows } = await current();
  if (finished(task, preps, rows)) continue;
  if (maxTasks > 0 && ran >= maxTasks) break;
  ran += 1;
  const t0 = performance.now();
  logger.info(`task: ${label(task)}`);
  if (task.kind === 'criteria') {
    await runCriteria(task.args);
    await writeFile(join(out, 'resnet-budget-seeds', 'done'), new Date().toISOString());
    continue;
  }
  const spec = CELLS[task.cell] as { sample: string; cut: number };
  const cell: Cell = { id: task.cell, sample: await sample(spec.sample), cut: spec.cut };
  if (task.kind === 'prep') {
    for (const criterion of ['fscl', 'l1'] as const) {
      if (preps.some((p) => p.cell === task.cell && p.criterion === criterion && p.seed === task.seed)) continue;
      await appendRecord(checkpoint, await prepare(cell, criterion, task.seed, settings));
    }
  } else {
    const made = await advance(cell, task.method, task.seed, task.stopAt, preps, settings);
    const known = new Set(rows.map(rowKey));
    for (const r of made) {
      const record: RowRecord = { kind: 'row', cell: task.cell, settings: signature, ...r };
      if (!known.has(rowKey(record))) await appendRecord(checkpoint, record);
    }
  }
  logger.info(`  done in ${((performance.now() - t0) / 60_000).toFixed(1)} min`);
  await report();
}
await report();
logger.info(`wrote ${paths.json}, ${paths.svg} and the recovery section of ${paths.md}`);
