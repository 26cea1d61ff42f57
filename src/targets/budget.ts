// Budgets and predicted resources: which budgets hold, and which resource is most over its budget.
import type { Graph } from '../core/types.ts';

/** What a deployment must fit (any subset). */
export interface Budget {
  /** Latency at batch 1, milliseconds. */
  latencyMs?: number;
  /** Peak memory, MB. */
  memoryMb?: number;
  /** Exported model size, MB. */
  modelSizeMb?: number;
}

/** Resource names a budget can constrain. */
export const RESOURCES = ['latencyMs', 'memoryMb', 'modelSizeMb'] as const;

/** One of the constrained resources. */
export type Resource = (typeof RESOURCES)[number];

/** Predicted figures for every resource. */
export type Resources = Record<Resource, number>;

/** Predicts a graph's resources (latency model + memory accounting of the target). */
export type ResourcePredictor = (graph: Graph) => Resources;

/** Every budget figure set: what a target's defaults and the caller's overrides resolve to. */
export interface ResolvedBudget {
  latencyMs: number;
  memoryMb: number;
  modelSizeMb: number;
  /** Largest accepted top-1 accuracy drop (a fraction), when the target or the caller sets one. */
  maxAccuracyDrop?: number;
}

/**
 * The one place budgets are merged: the target's defaults, then each override in order (later
 * wins; absent fields keep the earlier value). Every command and stage resolves its budget here.
 */
export function resolveBudget(defaults: ResolvedBudget, ...overrides: (Budget & { maxAccuracyDrop?: number } | undefined)[]): ResolvedBudget {
  const out: ResolvedBudget = { ...defaults };
  for (const o of overrides) {
    if (!o) continue;
    for (const key of [...RESOURCES, 'maxAccuracyDrop'] as const) {
      const v = o[key];
      if (v !== undefined) out[key] = v;
    }
  }
  return out;
}

/** The resources of a budget alone (no accuracy figure), as the search checks them. */
export function resourceBudget(budget: ResolvedBudget): Budget {
  return { latencyMs: budget.latencyMs, memoryMb: budget.memoryMb, modelSizeMb: budget.modelSizeMb };
}

/** Does every set budget hold? */
export function budgetsMet(predicted: Resources, budget: Budget): boolean {
  return RESOURCES.every((r) => budget[r] === undefined || predicted[r] <= (budget[r] as number));
}

/** The resource most over its budget (largest predicted/budget ratio above 1), or undefined when all hold. */
export function worstResource(predicted: Resources, budget: Budget): Resource | undefined {
  let worst: Resource | undefined;
  let ratio = 1;
  for (const r of RESOURCES) {
    const b = budget[r];
    if (b === undefined) continue;
    const q = predicted[r] / b;
    if (q > ratio) {
      ratio = q;
      worst = r;
    }
  }
  return worst;
}
