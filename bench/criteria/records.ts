// Row records of the criteria benchmark and the append-only checkpoint (one complete JSON line per finished row).
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Latency medians (ms) of the unpruned and the pruned bundle, measured interleaved in one process. */
export interface LatencyPair {
  baseMs: number;
  prunedMs: number;
  /** Fastest runs: on a busy machine min/min is the steadier speedup (preemption only adds time). */
  baseMinMs: number;
  prunedMinMs: number;
  /** Timed runs behind each median. */
  runs: number;
}

/** One finished benchmark row (accuracies as fractions). */
export interface BenchRow {
  kind: 'cut' | 'budget';
  sample: string;
  /** Requested MACs cut (cut rows) or the cut whose predicted latency became the budget (budget rows). */
  macsCut: number;
  criterion: string;
  seed: number;
  accBase: number;
  accPruned: number;
  accFinetuned: number;
  speedupTfjs: number;
  speedupOnnx: number;
  /** The same speedups from the fastest runs (baseMinMs / prunedMinMs). */
  speedupTfjsMin: number;
  speedupOnnxMin: number;
  /** Realized 1 − MACs after / MACs before, and the same for parameters. */
  macsReduction: number;
  paramsReduction: number;
  /** MACs ratio before / after, to set beside the realized speedups. */
  macsSpeedup: number;
  macs: { before: number; after: number };
  params: { before: number; after: number };
  /** The uniform drop ratio over prunable groups (cut rows), null for budget rows. */
  dropRatio: number | null;
  /** Kept / total channels per prunable group. */
  channels: Record<string, string>;
  tfjs: LatencyPair;
  onnx: LatencyPair;
  /** How each format was timed (runtime version, backend, threads). */
  runtimes: Record<string, string>;
  /** Budget rows: the pixel7 latency budget, the search's predicted latency, whether it held, its rounds. */
  budget: { latencyMs: number; predictedMs: number; met: boolean; rounds: number } | null;
  finetune: { epochs: number; images: number; seconds: number; imagesPerSecond: number; backend: string };
  /** Seconds per stage of this row. */
  seconds: Record<string, number>;
  /** The settings signature the row was produced under (rows of other settings are not reused). */
  settings: string;
  finishedAt: string;
}

/** The unpruned sample's figures, stored once per sample and settings. */
export interface BaselineRecord {
  kind: 'baseline';
  sample: string;
  settings: string;
  accBase: number;
  macs: number;
  params: number;
  seconds: number;
}

export type CheckpointRecord = BenchRow | BaselineRecord;

/** Identity of a row within a settings signature. */
export function rowKey(r: { kind: string; sample: string; macsCut: number; criterion: string; seed: number; settings: string }): string {
  return [r.settings, r.kind, r.sample, r.macsCut.toFixed(4), r.criterion, r.seed].join('|');
}

/** Every complete line of the checkpoint (a line cut short by a kill is skipped). */
export async function readCheckpoint<T = CheckpointRecord>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // a partial last line from an interrupted append
    }
  }
  return out;
}

/** Append one record as one complete line (a single write; a leading newline heals a cut-off line). */
export async function appendCheckpoint<T = CheckpointRecord>(path: string, record: T): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  let prefix = '';
  try {
    const text = await readFile(path, 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) prefix = '\n';
  } catch {
    // new file
  }
  await appendFile(path, `${prefix}${JSON.stringify(record)}\n`);
}
