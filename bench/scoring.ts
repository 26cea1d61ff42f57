// Benchmark: time to score VGG-16 and ResNet-56 with each criterion (goal: FSCL well under 1 s).
import { performance } from 'node:perf_hooks';
import { median } from '../src/core/statistics.ts';
import { readBundle } from '../src/bundle/read-bundle.ts';
import { analyzeModel } from '../src/analyze/analyze-model.ts';
import { scoreModel } from '../src/score/score-model.ts';
import { ensureFixture } from '../test/fixtures/build-fixtures.ts';

/** One timing row. */
export interface ScoringRow {
  model: string;
  criterion: string;
  medianMs: number;
  minMs: number;
  runs: number;
}

/** Time each criterion on the two reference models; median of `runs` after one warm-up. */
export async function benchScoring(runs = 5, criteria = ['fscl', 'l1', 'fpgm']): Promise<ScoringRow[]> {
  const rows: ScoringRow[] = [];
  for (const model of ['vgg16', 'resnet56'] as const) {
    const bundle = await readBundle(await ensureFixture(model));
    const { graph, groups } = analyzeModel(bundle);
    for (const criterion of criteria) {
      const times: number[] = [];
      for (let r = 0; r <= runs; r++) {
        const t0 = performance.now();
        scoreModel(criterion, { bundle, graph, groups, seed: 0 });
        if (r > 0) times.push(performance.now() - t0);
      }
      rows.push({ model, criterion, medianMs: median(times), minMs: Math.min(...times), runs });
    }
  }
  return rows;
}
