// One cell of the recovery benchmark (a sample at a MACs cut): prune + BN / reconstruction start points, and resumable training runs per method.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Analysis } from '../../src/analyze/analyze-model.ts';
import type { Logger } from '../../src/core/logger.ts';
import type { ModelBundle } from '../../src/core/types.ts';
import type { ImageDataset } from '../../src/data/dataset.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { writeBundle } from '../../src/bundle/write-bundle.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { scoreModel } from '../../src/score/score-model.ts';
import { planFromRatios } from '../../src/search/ratio-plan.ts';
import { reconstruct } from '../../src/reconstruct/reconstruct.ts';
import { evaluateAccuracy } from '../../src/runtime/train-eval.ts';
import { reestimateBatchNorm } from '../../src/runtime/train-bn.ts';
import { finetune } from '../../src/finetune/finetune.ts';
import { initializeWeights } from '../../scripts/sample-architectures.ts';
import { findUniformRatio, macsOfPlan } from '../criteria/cut.ts';
import type { Method, PrepRecord, RecoveryRow } from './records.ts';

/** A loaded sample with its data. */
export interface SampleContext {
  name: string;
  bundle: ModelBundle;
  analysis: Analysis;
  unpruned: number;
  train: ImageDataset;
  test: ImageDataset;
}

/** A cell: a sample at a MACs cut. */
export interface Cell {
  id: string;
  sample: SampleContext;
  cut: number;
}

/** Knobs shared by every cell. */
export interface CellSettings {
  work: string;
  round: number;
  bnImages: number;
  reconImages: number;
  /** Checkpoints (epochs) of a fine-tune run; its schedule spans the last. */
  finetuneEpochs: number[];
  /** Checkpoints of a scratch run; its schedule spans the last (3× the longest fine-tune). */
  scratchEpochs: number[];
  signature: string;
  logger: Logger;
}

/** Seconds since t0. */
const since = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10;

/** Folder of a run's start bundle and checkpoints. */
function runDir(s: CellSettings, cell: Cell, name: string, seed: number): string {
  return join(s.work, cell.id, `${name}-s${seed}`);
}

/** Prune by `criterion` at the cell's uniform ratio; save the BN-re-estimated and reconstructed start bundles; measure both. */
export async function prepare(cell: Cell, criterion: 'fscl' | 'l1', seed: number, s: CellSettings): Promise<PrepRecord> {
  const { bundle, analysis, train, test } = cell.sample;
  const u = findUniformRatio(analysis, cell.cut, s.round);
  const scores = scoreModel(criterion, { bundle, graph: analysis.graph, groups: analysis.groups, seed });
  const plan = planFromRatios(analysis.groups, scores, u.ratio, s.round);
  const pruned = applyPlan(bundle, analysis.groups, plan);
  let t0 = performance.now();
  const bn = await reestimateBatchNorm(pruned, train, { seed, batch: 128, batches: Math.ceil(s.bnImages / 128) });
  const bnSeconds = since(t0);
  const accPruned = (await evaluateAccuracy(bn, test)).accuracy;
  s.logger.info(`  ${cell.id} ${criterion} s${seed}: pruned (BN re-estimated) ${(accPruned * 100).toFixed(2)}%`);
  t0 = performance.now();
  const recon = await reconstruct(bundle, pruned, analysis.groups, plan, train, { seed, images: s.reconImages, logger: s.logger });
  const reconSeconds = since(t0);
  const accReconstructed = (await evaluateAccuracy(recon.bundle, test)).accuracy;
  s.logger.info(`  ${cell.id} ${criterion} s${seed}: reconstructed ${(accReconstructed * 100).toFixed(2)}% (${reconSeconds} s)`);
  const dir = runDir(s, cell, criterion, seed);
  await writeBundle(bn, join(dir, 'start-bn'));
  await writeBundle(recon.bundle, join(dir, 'start-recon'));
  return {
    kind: 'prep', cell: cell.id, sample: cell.sample.name, criterion, seed,
    macsCut: 1 - macsOfPlan(analysis, plan) / analysis.cost.macs, ratio: u.ratio, unpruned: cell.sample.unpruned,
    accPruned, accReconstructed, seconds: { bn: bnSeconds, reconstruct: reconSeconds },
    layers: recon.layers.map((l) => ({ layer: l.layer, before: l.errorBefore, after: l.errorAfter })),
    settings: s.signature,
  };
}

/** The start bundle of a method, and the prep it came from. */
async function startOf(cell: Cell, method: Method, seed: number, preps: PrepRecord[], s: CellSettings): Promise<{ bundle: ModelBundle; prep: PrepRecord }> {
  const criterion = method.startsWith('l1') ? 'l1' : 'fscl';
  const prep = preps.find((p) => p.cell === cell.id && p.criterion === criterion && p.seed === seed);
  if (!prep) throw new Error(`${cell.id} ${method} s${seed}: prepare ${criterion} first`);
  const dir = runDir(s, cell, criterion, seed);
  const path = join(dir, method === 'fscl' ? 'start-bn' : 'start-recon', 'model.json');
  if (!existsSync(path)) throw new Error(`${path} is missing: delete the prep record of ${cell.id} ${criterion} s${seed} to rebuild it`);
  const bundle = await readBundle(path);
  // Scratch: the same pruned architecture, seeded He-normal weights.
  return { bundle: method === 'scratch' ? initializeWeights(bundle, 7000 + seed) : bundle, prep };
}

/**
 * Train `method` of a cell up to `stopAt` epochs (resumable: checkpoints after every epoch in the
 * run folder; the schedule always spans the method's last checkpoint) and return the rows of the
 * checkpoints reached (epoch 0 = the start point).
 */
export async function advance(cell: Cell, method: Method, seed: number, stopAt: number, preps: PrepRecord[], s: CellSettings): Promise<RecoveryRow[]> {
  const { bundle, prep } = await startOf(cell, method, seed, preps, s);
  const scratch = method === 'scratch';
  const checkpoints = scratch ? s.scratchEpochs : s.finetuneEpochs;
  const epochs = checkpoints[checkpoints.length - 1] as number;
  const prepSeconds = scratch ? 0 : prep.seconds.bn + (method.endsWith('+recon') ? prep.seconds.reconstruct : 0);
  const result = await finetune(bundle, {
    train: cell.sample.train, validation: cell.sample.test, teacher: cell.sample.bundle, epochs, seed, logger: s.logger,
    checkpointDir: join(runDir(s, cell, method, seed), 'checkpoints'), resume: true, stopAfterEpochs: stopAt, checkpointMinutes: 10,
    // From scratch: the samples' own training recipe (peak 0.05, one warm-up epoch), with the same distillation.
    ...(scratch ? { learningRate: 0.05, warmupEpochs: 1 } : {}),
  });
  const base = { sample: cell.sample.name, macsCut: prep.macsCut, method, seed, accPruned: scratch ? null : prep.accPruned, accReconstructed: method.endsWith('+recon') ? prep.accReconstructed : null, unpruned: cell.sample.unpruned };
  const start = scratch ? null : method === 'fscl' ? prep.accPruned : prep.accReconstructed;
  const rows: RecoveryRow[] = [{ ...base, epochs: 0, accFinetuned: start ?? result.summary.accuracyBefore ?? 0, seconds: prepSeconds }];
  let seconds = prepSeconds;
  for (const h of result.summary.history) {
    seconds += h.seconds;
    if (checkpoints.includes(h.epoch) && h.validationAccuracy !== null) rows.push({ ...base, epochs: h.epoch, accFinetuned: h.validationAccuracy, seconds: Math.round(seconds) });
  }
  return rows;
}
