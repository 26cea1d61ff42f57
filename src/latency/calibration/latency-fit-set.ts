// Whole networks to time for the latency fit: seeded pruned variants of the samples and the fixtures.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeModel } from '../../analyze/analyze-model.ts';
import { createRandom } from '../../core/random.ts';
import type { JsonObject, ModelBundle, PrunePlan } from '../../core/types.ts';
import { readBundle } from '../../bundle/read-bundle.ts';
import { applyPlan } from '../../prune/apply-plan.ts';
import { initializeBundle } from '../../runtime/layers-model.ts';
import { PACKAGE_ROOT } from '../../core/package-root.ts';
import { TopologyBuilder, addLayers, batchNorm, conv, dense, globalAveragePool, type Sym } from './probe-topology.ts';
import { dropCount } from '../../prune/drop-count.ts';

/** A base network that variants are pruned from. */
export interface BaseNetwork {
  name: string;
  bundle: ModelBundle;
}

/** One pruned variant, ready to time. */
export interface NetworkVariant {
  id: string;
  base: string;
  seed: number;
  bundle: ModelBundle;
}

/** Options of `pruneVariant`. */
export interface VariantOptions {
  /** Largest per-group drop ratio (each group draws uniformly in [0, maxDrop]). Default 0.75. */
  maxDrop?: number;
  /** Kept channel counts are rounded to multiples of this (the targets' default rounding is 8). */
  round?: number;
}

/**
 * A variant of `base` with each prunable channel group dropping its own seeded ratio of channels
 * (which channels does not matter for latency: the first ones are dropped). Seed 0 is the base itself.
 */
export function pruneVariant(base: BaseNetwork, seed: number, options: VariantOptions = {}): NetworkVariant {
  const id = `${base.name}#${seed}`;
  if (seed === 0) return { id, base: base.name, seed, bundle: base.bundle };
  const next = createRandom(seed);
  const maxDrop = options.maxDrop ?? 0.75;
  const { groups } = analyzeModel(base.bundle);
  const plan: PrunePlan = {
    version: 1,
    criterion: 'random',
    groups: groups
      .filter((g) => !g.locked)
      .map((g) => {
        const count = dropCount(g.size, next() * maxDrop, options.round ?? 8);
        return { id: g.id, size: g.size, drop: Array.from({ length: count }, (_, i) => i) };
      }),
  };
  return { id, base: base.name, seed, bundle: applyPlan(base.bundle, groups, plan) };
}

/**
 * The ResNet-style sample's architecture (scripts/sample-architectures.ts `buildSampleResnet`) as a
 * Keras topology: stem conv-BN-ReLU, three stages of `blocks` basic blocks at 16/32/64 channels,
 * projection shortcuts at the stride-2 block of stages 2 and 3, global average pooling, Dense 10.
 */
export function sampleResnetTopology(blocks = 3): JsonObject {
  const b = new TopologyBuilder();
  const x = b.input([32, 32, 3]);
  const relu = (y: Sym): Sym => b.add('ReLU', {}, [y], y.shape, 'relu');
  const convBn = (y: Sym, c: number, k: number, s: number): Sym => batchNorm(b, conv(b, y, c, k, s, { useBias: false }));
  let y = relu(convBn(x, 16, 3, 1));
  [16, 32, 64].forEach((c, s) => {
    for (let i = 0; i < blocks; i++) {
      const stride = s > 0 && i === 0 ? 2 : 1;
      const z = convBn(relu(convBn(y, c, 3, stride)), c, 3, 1);
      const shortcut = stride === 1 ? y : convBn(y, c, 1, stride);
      y = relu(addLayers(b, [z, shortcut]));
    }
  });
  return b.build(x, dense(b, globalAveragePool(b, y), 10), 'sample_resnet');
}

/** Read a bundle when its model.json exists under the package folder. */
async function readIfPresent(relativePath: string): Promise<ModelBundle | undefined> {
  const path = join(PACKAGE_ROOT, relativePath);
  return existsSync(path) ? readBundle(path) : undefined;
}

/**
 * The samples: samples/vgg and samples/resnet (the ResNet architecture with fresh weights while
 * samples/resnet is not there yet; latency does not depend on weight values).
 */
export async function loadSampleBases(): Promise<BaseNetwork[]> {
  const out: BaseNetwork[] = [];
  const vgg = await readIfPresent('samples/vgg/model.json');
  if (vgg) out.push({ name: 'sample-vgg', bundle: vgg });
  const resnet = (await readIfPresent('samples/resnet/model.json')) ?? (await initializeBundle(sampleResnetTopology(3)));
  out.push({ name: 'sample-resnet', bundle: resnet });
  return out;
}

/** Fixtures (test/fixtures/generated) the calibration also fits on, when the folder is there. */
export const FIXTURE_BASES = ['vgg16', 'resnet56', 'mobilenetv2'];

/** The fixture networks present in this checkout. */
export async function loadFixtureBases(names: readonly string[] = FIXTURE_BASES): Promise<BaseNetwork[]> {
  const out: BaseNetwork[] = [];
  for (const name of names) {
    const bundle = await readIfPresent(`test/fixtures/generated/${name}/model.json`);
    if (bundle) out.push({ name: `fixture-${name}`, bundle });
  }
  return out;
}

/** Seeds of the variants calibration fits on (seed 0 is the unpruned network). */
export const FIT_SEEDS = { samples: 12, fixtures: 4 };
/** Seeds of the sample variants calibration holds out to check its fit (the benchmark uses 1001+). */
export const CHECK_SEEDS = [2001, 2002, 2003, 2004, 2005, 2006];

/** The whole networks calibration times: fitted variants and held-out sample variants. */
export interface CalibrationNetworks {
  fit: NetworkVariant[];
  check: NetworkVariant[];
}

/**
 * The calibration's network set: the samples and the fixtures unpruned and pruned with seeded
 * per-group drop ratios (seeds 1..12 for the samples, 1..4 for the fixtures), plus held-out sample
 * variants (seeds 2001..2006) that only check the fit.
 */
export async function calibrationNetworks(): Promise<CalibrationNetworks> {
  const samples = await loadSampleBases();
  const fixtures = await loadFixtureBases();
  const range = (n: number): number[] => Array.from({ length: n + 1 }, (_, i) => i);
  return {
    fit: [
      ...samples.flatMap((b) => range(FIT_SEEDS.samples).map((s) => pruneVariant(b, s))),
      ...fixtures.flatMap((b) => range(FIT_SEEDS.fixtures).map((s) => pruneVariant(b, s))),
    ],
    check: samples.flatMap((b) => CHECK_SEEDS.map((s) => pruneVariant(b, s))),
  };
}
