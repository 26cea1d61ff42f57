// The bundled sample the main command runs on when no model is given, with its own default budgets.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './core/package-root.ts';
import type { Budget } from './targets/budget.ts';

/** The sample's model, data, per-target budget and fine-tuning epochs (only paths when a model was given). */
export async function sampleDefaults(model: string | undefined, target: string): Promise<{ model: string; data: string; budget: Budget; epochs?: number; note?: string }> {
  const dir = join(PACKAGE_ROOT, 'samples');
  const base = { model: join(dir, 'vgg', 'model.json'), data: join(dir, 'data'), budget: {} };
  if (model) return base;
  try {
    const defaults = JSON.parse(await readFile(join(dir, 'vgg', 'budgets.json'), 'utf8')) as { budgets?: Record<string, Budget>; why?: string; epochs?: number };
    const budget = defaults.budgets?.[target];
    const epochs = typeof defaults.epochs === 'number' ? { epochs: defaults.epochs } : {};
    if (budget) return { ...base, budget, ...epochs, note: `Budgets for the sample on ${target} come from samples/vgg/budgets.json: ${defaults.why ?? ''}`.trim() };
    return { ...base, ...epochs };
  } catch {
    // No sample budgets: the target's defaults apply.
  }
  return base;
}
