// Crash-safe training checkpoints: a complete folder per checkpoint, then an atomically replaced pointer.
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-write.ts';
import { fail } from '../core/errors.ts';
import type { ModelBundle, WeightEntry } from '../core/types.ts';
import { readBundle } from '../bundle/read-bundle.ts';
import { writeBundle } from '../bundle/write-bundle.ts';

/** One finished epoch in the training history. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  validationAccuracy: number | null;
  seconds: number;
  imagesPerSecond: number;
}

/** Where training stood when the checkpoint was written. */
export interface TrainingState {
  version: 1;
  /** Hash of every setting that must match to resume (data, model, hyper-parameters). */
  runKey: string;
  /** Epochs completed. */
  epoch: number;
  /** Steps completed inside the current epoch (0 at an epoch boundary). */
  step: number;
  /** Sum of the losses of those steps, to report the epoch's mean loss after a resume. */
  lossSum: number;
  /** Training seconds so far (all sessions). */
  seconds: number;
  accuracyBefore: number | null;
  history: EpochRecord[];
  /** Names and shapes of the momentum buffers in optimizer.bin, in order. */
  optimizer: { name: string; shape: number[] }[];
}

/** A checkpoint read back. */
export interface Checkpoint {
  state: TrainingState;
  bundle: ModelBundle;
  optimizer: WeightEntry[];
}

const POINTER = 'checkpoint.json';

/**
 * Write a checkpoint under `dir`: the model, the momentum buffers and the state go into a new
 * sub-folder, then `checkpoint.json` is atomically pointed at it and older sub-folders are removed.
 * A crash at any moment leaves the previous checkpoint intact and current.
 */
export async function writeCheckpoint(dir: string, checkpoint: Checkpoint): Promise<void> {
  const name = `e${checkpoint.state.epoch}-s${checkpoint.state.step}`;
  const folder = join(dir, name);
  await writeBundle(checkpoint.bundle, folder, { weights: 'float32', rememberSource: true });
  const total = checkpoint.optimizer.reduce((n, e) => n + e.data.length, 0);
  const bytes = new Float32Array(total);
  let offset = 0;
  for (const e of checkpoint.optimizer) {
    bytes.set(e.data, offset);
    offset += e.data.length;
  }
  await writeFileAtomic(join(folder, 'optimizer.bin'), new Uint8Array(bytes.buffer));
  const state: TrainingState = { ...checkpoint.state, optimizer: checkpoint.optimizer.map((e) => ({ name: e.name, shape: [...e.shape] })) };
  await writeJsonAtomic(join(folder, 'state.json'), state);
  await writeJsonAtomic(join(dir, POINTER), { folder: name });
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && /^e\d+-s\d+$/.test(entry.name) && entry.name !== name) await rm(join(dir, entry.name), { recursive: true, force: true });
  }
}

/** Read the current checkpoint under `dir`, or undefined when there is none. */
export async function readCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  let pointer: { folder?: unknown };
  try {
    pointer = JSON.parse(await readFile(join(dir, POINTER), 'utf8')) as { folder?: unknown };
  } catch {
    return undefined;
  }
  if (typeof pointer.folder !== 'string' || !/^e\d+-s\d+$/.test(pointer.folder)) {
    fail('INVALID_DATA', { expected: 'a checkpoint pointer {"folder":"eN-sM"}', found: JSON.stringify(pointer), where: join(dir, POINTER), hint: 'delete the checkpoint folder and start without --resume' });
  }
  const folder = join(dir, pointer.folder);
  const state = JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as TrainingState;
  const bundle = await readBundle(join(folder, 'model.json'));
  const raw = await readFile(join(folder, 'optimizer.bin'));
  const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const optimizer: WeightEntry[] = [];
  let offset = 0;
  for (const o of state.optimizer) {
    const size = o.shape.reduce((a, b) => a * b, 1);
    if (offset + size > values.length) {
      fail('INVALID_DATA', { expected: `momentum buffers of ${offset + size} values`, found: `${values.length}`, where: join(folder, 'optimizer.bin'), hint: 'the checkpoint is damaged; start without --resume' });
    }
    optimizer.push({ name: o.name, shape: o.shape, dtype: 'float32', data: values.slice(offset, offset + size) });
    offset += size;
  }
  return { state, bundle, optimizer };
}
