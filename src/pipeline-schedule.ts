// Gradual pruning (NetAdapt's short-term fine-tune): prune toward the plan in steps, reconstruct and briefly distill between them, then the long fine-tune, in the one-shot budget.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChannelGroup, ModelBundle, PrunePlan, Scores } from './core/types.ts';
import { silentLogger, type Logger } from './core/logger.ts';
import { writeJsonAtomic } from './core/atomic-write.ts';
import { analyzeModel } from './analyze/analyze-model.ts';
import { readBundle } from './bundle/read-bundle.ts';
import { writeBundle } from './bundle/write-bundle.ts';
import { sampleDataset, type ImageDataset } from './data/dataset.ts';
import { applyPlan } from './prune/apply-plan.ts';
import { reconstruct } from './reconstruct/reconstruct.ts';
import { finetune, type FinetuneSummary } from './finetune/finetune.ts';

export { parseSchedule, type Schedule } from './finetune/schedule.ts';

/** What the gradual schedule needs. */
export interface GradualOptions {
  original: ModelBundle;
  groups: readonly ChannelGroup[];
  plan: PrunePlan;
  scores: Scores;
  steps: number;
  train: ImageDataset;
  validation?: ImageDataset;
  /** The one-shot budget: epochs of `train`; the schedule spends the same number of images. */
  epochs: number;
  /** Share of the budget spent on the short fine-tunes between steps (default 0.25). */
  shortShare?: number;
  /** Refit each step to the previous step's model (default true). */
  reconstruct?: boolean;
  checkpointDir: string;
  resume?: boolean;
  seed?: number;
  backend?: string;
  logger?: Logger;
}

/** The plan of step k of n: per group, the lowest-scored round(k/n · |drop|) of the final plan's channels. */
export function stepPlan(plan: PrunePlan, scores: Scores, k: number, n: number): PrunePlan {
  const byId = new Map(scores.groups.map((g) => [g.id, g.scores]));
  return {
    ...plan,
    groups: plan.groups.map((g) => {
      const s = byId.get(g.id) ?? [];
      const count = Math.round((k / n) * g.drop.length);
      const chosen = [...g.drop].sort((a, b) => (s[a] ?? 0) - (s[b] ?? 0) || a - b).slice(0, count);
      return { ...g, drop: chosen.sort((a, b) => a - b) };
    }),
  };
}

/** Step k's plan expressed on step k−1's model: the newly dropped channels, renumbered among the channels still there. */
function incrementalPlan(previous: PrunePlan, next: PrunePlan, current: readonly ChannelGroup[]): PrunePlan {
  const before = new Map(previous.groups.map((g) => [g.id, new Set(g.drop)]));
  const sizes = new Map(current.map((g) => [g.id, g.size]));
  return {
    ...next,
    groups: next.groups.filter((g) => sizes.has(g.id)).map((g) => {
      const gone = before.get(g.id) ?? new Set<number>();
      const kept = Array.from({ length: g.size }, (_, i) => i).filter((i) => !gone.has(i));
      const drop = g.drop.filter((i) => !gone.has(i)).map((i) => kept.indexOf(i));
      return { id: g.id, size: sizes.get(g.id) as number, drop };
    }),
  };
}

/**
 * Prune toward `plan` in `steps` steps: step k removes the next lowest-scored part of every group's
 * drops from step k−1's model, refits it to that model (reconstruction) and distills it from the
 * unpruned model for one epoch on a seeded subset (the short fine-tunes together spend `shortShare`
 * of the budget); then the long fine-tune runs `epochs` epochs on a (1 − shortShare) subset, so the
 * images seen equal the one-shot budget. Every step's model is written under `checkpointDir`; a
 * resumed run continues after the last finished step (and inside fine-tunes from their checkpoints).
 */
export async function gradualPrune(o: GradualOptions): Promise<{ bundle: ModelBundle; summary: FinetuneSummary; steps: { step: number; accuracy: number | null }[] }> {
  const logger = o.logger ?? silentLogger;
  const seed = o.seed ?? 0;
  const share = o.shortShare ?? 0.25;
  const n = o.train.labels.length;
  const shortImages = Math.max(64, Math.round((share * o.epochs * n) / Math.max(1, o.steps - 1)));
  const common = { teacher: o.original, seed, logger, ...(o.validation ? { validation: o.validation } : {}), ...(o.backend ? { backend: o.backend } : {}) };
  let current = o.original;
  let previous: PrunePlan = { ...o.plan, groups: o.plan.groups.map((g) => ({ ...g, drop: [] })) };
  const steps: { step: number; accuracy: number | null }[] = [];
  for (let k = 1; k <= o.steps; k++) {
    const dir = join(o.checkpointDir, `step-${k}`);
    const target = stepPlan(o.plan, o.scores, k, o.steps);
    if (o.resume && existsSync(join(dir, 'model', 'model.json'))) {
      current = await readBundle(join(dir, 'model', 'model.json'));
      previous = target;
      logger.info(`schedule: step ${k}/${o.steps} already done (${dir})`);
      continue;
    }
    const groups = analyzeModel(current).groups;
    const inc = incrementalPlan(previous, target, groups);
    let next = applyPlan(current, groups, inc);
    if (o.reconstruct !== false) next = (await reconstruct(current, next, groups, inc, o.train, { seed, ...(o.backend ? { backend: o.backend } : {}) })).bundle;
    let accuracy: number | null = null;
    if (k < o.steps) {
      const short = await finetune(next, { ...common, train: sampleDataset(o.train, Math.min(n, shortImages), seed + k), epochs: 1, checkpointDir: join(dir, 'checkpoints'), ...(o.resume ? { resume: true } : {}) });
      next = short.bundle;
      accuracy = short.summary.accuracyAfter;
    }
    await writeBundle(next, join(dir, 'model'));
    await writeJsonAtomic(join(dir, 'step.json'), { step: k, of: o.steps, plan: target, accuracy });
    steps.push({ step: k, accuracy });
    logger.info(`schedule: step ${k}/${o.steps} pruned ${inc.groups.reduce((a, g) => a + g.drop.length, 0)} more channel(s)${accuracy === null ? '' : `, ${(accuracy * 100).toFixed(2)}% after its short fine-tune`}`);
    current = next;
    previous = target;
  }
  const longTrain = sampleDataset(o.train, Math.max(64, Math.round((1 - share) * n)), seed + 99);
  const long = await finetune(current, { ...common, train: longTrain, epochs: o.epochs, checkpointDir: join(o.checkpointDir, 'final'), ...(o.resume ? { resume: true } : {}) });
  return { bundle: long.bundle, summary: long.summary, steps };
}
