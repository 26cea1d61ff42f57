// Records of the recovery benchmark: the append-only checkpoint (JSON lines) and the rows of bench/results/recovery.json.
import { appendCheckpoint, readCheckpoint } from '../criteria/records.ts';

/** The methods compared. */
export type Method = 'fscl+recon' | 'fscl' | 'l1+recon' | 'scratch';

/** One evaluated checkpoint: the rows of recovery.json (accuracies as fractions). */
export interface RecoveryRow {
  sample: string;
  /** Realized MACs cut (1 − MACs after / before). */
  macsCut: number;
  method: Method;
  seed: number;
  /** Epochs of the full train folder done at this checkpoint (0 = the starting point). */
  epochs: number;
  /** Right after pruning, BatchNorm re-estimated (null for scratch). */
  accPruned: number | null;
  /** Right after reconstruction (null for methods without it). */
  accReconstructed: number | null;
  /** At this checkpoint (at 0 epochs: the starting model's). */
  accFinetuned: number;
  unpruned: number;
  /** Compute so far: pruning + reconstruction + training seconds up to this checkpoint. */
  seconds: number;
}

/** The start of a pruned cell: accuracies before any training, measured once per (cell, criterion, seed). */
export interface PrepRecord {
  kind: 'prep';
  cell: string;
  sample: string;
  criterion: 'fscl' | 'l1';
  seed: number;
  macsCut: number;
  ratio: number;
  unpruned: number;
  accPruned: number;
  accReconstructed: number;
  seconds: { bn: number; reconstruct: number };
  /** Per-layer output error before → after reconstruction. */
  layers: { layer: string; before: number; after: number }[];
  settings: string;
}

/** A finished row as stored in the checkpoint. */
export interface RowRecord extends RecoveryRow {
  kind: 'row';
  cell: string;
  settings: string;
}

/** The unpruned accuracy of a sample. */
export interface BaselineRecord {
  kind: 'baseline';
  sample: string;
  accuracy: number;
  settings: string;
}

/** Anything in the checkpoint file. */
export type Record_ = PrepRecord | RowRecord | BaselineRecord;

/** Read the checkpoint (missing file: nothing done); torn last lines are skipped (the criteria benchmark's reader). */
export const readRecords = (path: string): Promise<Record_[]> => readCheckpoint<Record_>(path);

/** Append one record as one complete line (a line torn by a kill is healed first). */
export const appendRecord = (path: string, record: Record_): Promise<void> => appendCheckpoint<Record_>(path, record);

/** Key of a row. */
export function rowKey(r: { cell: string; method: string; seed: number; epochs: number }): string {
  return `${r.cell}|${r.method}|${r.seed}|${r.epochs}`;
}
