// Pruned network variants (seeded per-layer keep ratios, multiples of 8) for calibration and benchmarks.
import { createRandom } from '../../core/random.ts';
import type { JsonObject } from '../../core/types.ts';
import {
  TopologyBuilder, activation, addLayers, batchNorm, conv, dense, depthwise, flatten, globalAveragePool, pool, type Sym,
} from './probe-topology.ts';

/** The variant families, by name. */
export const VARIANT_FAMILIES: Record<string, (seed: number) => JsonObject> = {};

/** A seeded generator of keep ratios in [0.3, 1) (core/random, so nearby seeds give unrelated runs). */
function ratios(seed: number): () => number {
  const next = createRandom(seed);
  return () => 0.3 + 0.7 * next();
}

/** Channels kept of `c` at ratio r, rounded to a multiple of 8 (at least 8). */
const keep = (c: number, r: number): number => Math.max(8, Math.round((c * r) / 8) * 8);

/** CIFAR VGG-16 (BN) with each conv's width pruned by its own seeded ratio. */
export function vggVariant(seed: number): JsonObject {
  const next = ratios(seed);
  const plan: Array<number | 'M'> = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];
  const b = new TopologyBuilder();
  const x = b.input([32, 32, 3]);
  let y: Sym = x;
  for (const item of plan) y = item === 'M' ? pool(b, y, 'max') : activation(b, batchNorm(b, conv(b, y, keep(item, next()), 3)), 'relu');
  return b.build(x, dense(b, dense(b, flatten(b, y), keep(512, next()), 'relu'), 10), `vgg_${seed}`);
}

/** CIFAR ResNet-20 with each block's inner width pruned (stage widths stay: they are coupled by the adds). */
export function resnetVariant(seed: number): JsonObject {
  const next = ratios(seed);
  const b = new TopologyBuilder();
  const x = b.input([32, 32, 3]);
  let y = activation(b, batchNorm(b, conv(b, x, 16, 3, 1, { useBias: false })), 'relu');
  [16, 32, 64].forEach((c, s) => {
    for (let i = 0; i < 3; i++) {
      const stride = s > 0 && i === 0 ? 2 : 1;
      let z = activation(b, batchNorm(b, conv(b, y, keep(c, next()), 3, stride, { useBias: false })), 'relu');
      z = batchNorm(b, conv(b, z, c, 3, 1, { useBias: false }));
      const shortcut = stride === 1 ? y : batchNorm(b, conv(b, y, c, 1, stride, { useBias: false }));
      y = activation(b, addLayers(b, [z, shortcut]), 'relu');
    }
  });
  return b.build(x, dense(b, globalAveragePool(b, y), 10), `resnet_${seed}`);
}

/** A CIFAR-size MobileNetV2-style network (ReLU layers) with each expansion width pruned. */
export function mobilenetVariant(seed: number): JsonObject {
  const next = ratios(seed);
  const b = new TopologyBuilder();
  const x = b.input([32, 32, 3]);
  let y = activation(b, batchNorm(b, conv(b, x, 32, 3, 1, { useBias: false })), 'relu');
  let inC = 32;
  for (const [t, c, n, s] of [[6, 24, 2, 1], [6, 32, 3, 2], [6, 64, 3, 2], [6, 96, 2, 1]] as Array<[number, number, number, number]>) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      let z = activation(b, batchNorm(b, conv(b, y, keep(inC * t, next()), 1, 1, { useBias: false })), 'relu');
      z = activation(b, batchNorm(b, depthwise(b, z, 3, stride)), 'relu');
      z = batchNorm(b, conv(b, z, c, 1, 1, { useBias: false }));
      y = stride === 1 && inC === c ? addLayers(b, [y, z]) : z;
      inC = c;
    }
  }
  y = activation(b, batchNorm(b, conv(b, y, keep(640, next()), 1, 1, { useBias: false })), 'relu');
  return b.build(x, dense(b, globalAveragePool(b, y), 10), `mobilenet_${seed}`);
}

VARIANT_FAMILIES['vgg16'] = vggVariant;
VARIANT_FAMILIES['resnet20'] = resnetVariant;
VARIANT_FAMILIES['mobilenet'] = mobilenetVariant;
