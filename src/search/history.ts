// Append-only search history (one JSON line per round), readable after a crash mid-write.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fail } from '../core/errors.ts';

/** One finished round of the search. */
export interface HistoryRound {
  round: number;
  /** The resource this round cut. */
  resource: string;
  /** Target value for that resource this round. */
  target: number;
  /** The chosen group and its new kept count. */
  group: string;
  keep: number;
  /** Full drop list (original channel indices) of the chosen group after this round. */
  drop: number[];
  /** Predicted resources after this round. */
  predicted: Record<string, number>;
  /** Quality of the chosen candidate (accuracy or fidelity; higher is better). */
  quality: number;
  /** Every candidate tried this round. */
  candidates: { group: string; keep: number; latencyMs: number; quality: number }[];
  /** Step size used this round (in the resource's unit). */
  step: number;
}

/** Append one round (a whole line, flushed before returning). */
export async function appendRound(path: string, round: HistoryRound): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, `${JSON.stringify(round)}\n`, { flush: true } as Parameters<typeof appendFile>[2]);
  } catch (error) {
    fail('IO_ERROR', { expected: 'a writable history file', found: (error as Error).message, where: path, hint: 'check the output folder' });
  }
}

/** Read the finished rounds of a history; a torn last line (killed mid-write) is ignored. */
export async function readHistory(path: string): Promise<HistoryRound[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n');
  const rounds: HistoryRound[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      rounds.push(JSON.parse(line) as HistoryRound);
    } catch {
      if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l.trim() !== '')) {
        fail('INVALID_JSON', { expected: 'one JSON object per line', found: `a broken line ${i + 1}`, where: path, hint: 'the history is corrupt; remove it to start the search again' });
      }
    }
  });
  return rounds;
}

/** Rewrite a history with exactly these rounds (drops a torn tail before appending resumes). */
export async function rewriteHistory(path: string, rounds: readonly HistoryRound[]): Promise<void> {
  const { writeFileAtomic } = await import('../core/atomic-write.ts');
  await writeFileAtomic(path, rounds.map((r) => `${JSON.stringify(r)}\n`).join(''));
}
