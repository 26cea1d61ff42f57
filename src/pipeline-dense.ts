// The main flow's dense-prediction branch (detectors, segmenters): per-output fidelity to the unpruned model instead of top-1 agreement.
import type { Graph, ModelBundle } from './core/types.ts';
import type { RunData } from './data/run-data.ts';

/** A model with several outputs, or whose output is a map rather than a vector of classes. */
export function isDensePrediction(graph: Graph): boolean {
  const out = graph.nodes.find((n) => n.name === graph.outputs[0]);
  return graph.outputs.length > 1 || (out?.outputShape.length ?? 1) > 1;
}

/** Per-output relative errors of a dense model before and after fine-tuning (report.json `outputFidelity`). */
export interface OutputFidelityFigures {
  name: string;
  relativeErrorBeforeFinetune: number | null;
  relativeErrorAfter: number | null;
}

/**
 * Measures a dense model's candidates against the unpruned `original` on the held-out images; keeps
 * the per-output relative errors of each measured stage for the report.
 */
export function trackOutputFidelity(original: ModelBundle, data: RunData): { measure(b: ModelBundle, stage: 'before' | 'after'): Promise<number>; figures(): OutputFidelityFigures[]; note(): string } {
  let reference: Float32Array[] | undefined;
  const stages: Record<'before' | 'after', { name: string; relativeError: number }[]> = { before: [], after: [] };
  return {
    async measure(b, stage) {
      const { measureOutputFidelity, predictAllOutputs } = await import('./runtime/output-fidelity.ts');
      reference ??= await predictAllOutputs(original, data.test);
      const f = await measureOutputFidelity(b, reference, data.test);
      stages[stage] = f.outputs;
      return f.score;
    },
    figures: () => stages.after.map((o, k) => ({ name: o.name, relativeErrorBeforeFinetune: stages.before[k]?.relativeError ?? null, relativeErrorAfter: o.relativeError })),
    note: () => `Per-output relative error Σ(y − r)²/max(Σ(r − mean r)², 0.01·Σr²) against the unpruned model on ${data.test.labels.length} held-out images, before → after fine-tuning: ${stages.after.map((o, k) => `${o.name} ${(stages.before[k]?.relativeError ?? Number.NaN).toFixed(4)} → ${o.relativeError.toFixed(4)}`).join(', ')}.`,
  };
}
