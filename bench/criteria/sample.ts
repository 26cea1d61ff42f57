// Per-sample setup of the criteria benchmark: the bundle, its analysis, CIFAR-10 data, baseline accuracy and export.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import type { Logger } from '../../src/core/logger.ts';
import { sampleDataset, type ImageDataset } from '../../src/data/dataset.ts';
import { loadImageFolder } from '../../src/data/image-folder.ts';
import { modelInputShape, readClassNames } from '../../src/data/normalization.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import type { BenchOptions, SampleSpec } from './options.ts';
import { appendCheckpoint, type BaselineRecord, type CheckpointRecord } from './records.ts';
import type { SampleContext } from './run-row.ts';

/** Decoded folders by path and size (both samples take 32×32×3 CIFAR-10 images). */
const folders = new Map<string, ImageDataset>();

/** Load a CIFAR-10 folder once per process (the decoded cache makes a reload about 2 s). */
async function loadFolder(dir: string, size: [number, number], channels: 1 | 3, classes: string[] | undefined, logger: Logger): Promise<ImageDataset> {
  const key = `${dir}|${size.join('x')}x${channels}`;
  const known = folders.get(key);
  if (known) return known;
  const t0 = performance.now();
  const loaded = await loadImageFolder(dir, { size, channels, ...(classes ? { classes } : {}) });
  logger.info(`data: ${loaded.dataset.labels.length} images from ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s${loaded.fromCache ? ' (cache)' : ''}`);
  folders.set(key, loaded.dataset);
  return loaded.dataset;
}

/** The settings signature: rows and baselines made under other settings are not reused. */
export function settingsSignature(options: BenchOptions): string {
  return `epochs=${options.epochs};train=${options.trainLimit || 'all'};test=${options.testLimit || 'all'};bn=${options.bnImages};round=${options.round}`;
}

/** Set up one sample, or null (with the reason logged) when its model.json is missing. */
export async function loadSample(spec: SampleSpec, options: BenchOptions, done: CheckpointRecord[], checkpoint: string, logger: Logger): Promise<SampleContext | null> {
  if (!existsSync(spec.model)) {
    logger.warn(`sample ${spec.name}: ${spec.model} is missing; skipping its rows (rerun when it exists: finished rows are kept)`);
    return null;
  }
  const settings = settingsSignature(options);
  const bundle = await readBundle(spec.model);
  const analysis = analyzeModel(bundle);
  const [h, w, c] = modelInputShape(bundle);
  if (c !== 1 && c !== 3) throw new Error(`sample ${spec.name}: expected a 1- or 3-channel image input, found ${c} channels`);
  const classes = readClassNames(bundle);
  const trainAll = await loadFolder(join(options.data, 'train'), [h, w], c, classes, logger);
  const testAll = await loadFolder(join(options.data, 'test'), [h, w], c, classes, logger);
  const train = options.trainLimit > 0 ? sampleDataset(trainAll, options.trainLimit, 11) : trainAll;
  const test = options.testLimit > 0 ? sampleDataset(testAll, options.testLimit, 13) : testAll;
  const prunable = analysis.groups.filter((g) => !g.locked).length;
  logger.info(`sample ${spec.name}: ${analysis.cost.macs} MACs, ${analysis.cost.params} params, ${prunable} prunable of ${analysis.groups.length} channel groups`);

  let base = done.find((r): r is BaselineRecord => r.kind === 'baseline' && r.sample === spec.name && r.settings === settings);
  if (!base) {
    const t0 = performance.now();
    const { evaluateAccuracy } = await import('../../src/runtime/train-eval.ts');
    const acc = await evaluateAccuracy(bundle, test, options.backend ? { backend: options.backend } : {});
    base = { kind: 'baseline', sample: spec.name, settings, accBase: acc.accuracy, macs: analysis.cost.macs, params: analysis.cost.params, seconds: Math.round((performance.now() - t0) / 100) / 10 };
    await appendCheckpoint(checkpoint, base);
  }
  logger.info(`sample ${spec.name}: unpruned accuracy ${(base.accBase * 100).toFixed(2)}% on ${test.labels.length} test images`);

  const baseExport = join(options.out, 'exports', spec.name, 'unpruned');
  if (!existsSync(join(baseExport, 'manifest.json'))) {
    const { exportBundle } = await import('../../src/export/export-bundle.ts');
    await exportBundle(bundle, { formats: ['tfjs', 'onnx'], outDir: baseExport, seed: 1 });
  }
  return { name: spec.name, bundle, analysis, accBase: base.accBase, baseExport, train, trainAll, test, settings };
}
