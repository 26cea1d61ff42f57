// The calibration sweep: single-layer probes per op kind (fitted) and whole networks (held out to check).
import type { JsonObject } from '../../core/types.ts';
import {
  TopologyBuilder, activation, addLayers, batchNorm, concat, conv, dense, depthwise, flatten, globalAveragePool, pool, zeroPad,
  type Sym,
} from './probe-topology.ts';
import { VARIANT_FAMILIES } from './network-variants.ts';

/** One model to time: fitted probes shape the coefficients, `check` networks only test them. */
export interface Probe {
  id: string;
  role: 'fit' | 'check';
  topology: JsonObject;
  /** A whole network (not a single-layer probe): it weighs fully in the fit. */
  network?: boolean;
}

/** A probe from a builder callback over one input. */
function probe(id: string, role: Probe['role'], shape: number[], body: (b: TopologyBuilder, x: Sym) => Sym): Probe {
  const b = new TopologyBuilder();
  const x = b.input(shape);
  return { id, role, topology: b.build(x, body(b, x), id.replace(/[^a-z0-9]+/gi, '_')) };
}

/** Single-layer and chain probes covering every op kind, overheads and bandwidth. */
function fitProbes(): Probe[] {
  const out: Probe[] = [];
  for (const n of [1, 8, 24, 48]) {
    out.push(probe(`relu-chain-${n}`, 'fit', [1, 1, 8], (b, x) => {
      let y = x;
      for (let i = 0; i < n; i++) y = activation(b, y, 'relu');
      return y;
    }));
  }
  const convs: Array<[number, number, number, number, number]> = [
    // [size, in, out, kernel, stride]
    [32, 3, 16, 3, 1], [32, 3, 64, 3, 1], [32, 16, 16, 3, 1], [32, 32, 32, 3, 1], [32, 64, 64, 3, 1], [32, 40, 56, 3, 1],
    [16, 64, 128, 3, 1], [16, 128, 128, 3, 1], [16, 96, 120, 3, 1], [8, 256, 256, 3, 1], [8, 200, 248, 3, 1],
    [4, 512, 512, 3, 1], [2, 512, 512, 3, 1], [4, 256, 384, 3, 1], [64, 16, 32, 3, 1], [64, 32, 32, 3, 2], [32, 64, 128, 3, 2],
    [16, 128, 256, 3, 2], [32, 16, 24, 5, 1], [32, 64, 64, 1, 1], [16, 128, 128, 1, 1], [8, 256, 512, 1, 1],
    [56, 24, 144, 1, 1], [28, 192, 32, 1, 1], [14, 384, 64, 1, 1], [7, 960, 160, 1, 1], [7, 320, 1280, 1, 1], [112, 32, 16, 1, 1],
  ];
  for (const [s, i, o, k, st] of convs) {
    out.push(probe(`conv${k}x${k}s${st}-${s}x${s}x${i}-${o}`, 'fit', [s, s, i], (b, x) => conv(b, x, o, k, st, { activation: 'relu' })));
  }
  const depthwises: Array<[number, number, number]> = [
    [112, 32, 1], [56, 96, 2], [56, 144, 1], [28, 144, 2], [28, 192, 1], [14, 384, 1], [14, 576, 1], [7, 960, 1], [32, 64, 1], [16, 128, 1], [8, 256, 1],
  ];
  for (const [s, c, st] of depthwises) {
    out.push(probe(`dw3x3s${st}-${s}x${s}x${c}`, 'fit', [s, s, c], (b, x) => depthwise(b, x, 3, st)));
  }
  for (const [s, i, o] of [[56, 24, 144], [14, 96, 576]] as Array<[number, number, number]>) {
    out.push(probe(`conv1x1-relu6-${s}x${s}x${i}-${o}`, 'fit', [s, s, i], (b, x) => conv(b, x, o, 1, 1, { activation: 'relu6', useBias: true })));
    out.push(probe(`conv1x1-nobias-${s}x${s}x${i}-${o}`, 'fit', [s, s, i], (b, x) => conv(b, x, o, 1, 1, { useBias: false })));
  }
  for (const [s, c] of [[56, 144], [14, 576]] as Array<[number, number]>) {
    out.push(probe(`dw3x3-relu6-${s}x${s}x${c}`, 'fit', [s, s, c], (b, x) => depthwise(b, x, 3, 1, { activation: 'relu6', useBias: true })));
  }
  // Dense at batch 1 streams its weights: the 8192×4096 kernel (128 MB) exceeds caches and measures bandwidth.
  const denses: Array<[number, number]> = [[256, 10], [512, 512], [512, 100], [1024, 1000], [1280, 1000], [2048, 512], [4096, 256], [4096, 4096], [8192, 4096]];
  for (const [i, o] of denses) out.push(probe(`dense-${i}-${o}`, 'fit', [i], (b, x) => dense(b, x, o)));
  const maps: Array<[number, number]> = [[112, 32], [56, 64], [32, 64], [32, 128], [16, 256], [8, 512], [4, 512]];
  for (const [s, c] of maps) {
    out.push(probe(`bn-${s}x${s}x${c}`, 'fit', [s, s, c], (b, x) => batchNorm(b, x)));
    out.push(probe(`relu-${s}x${s}x${c}`, 'fit', [s, s, c], (b, x) => activation(b, x, 'relu')));
  }
  for (const [s, c] of [[112, 32], [32, 64], [16, 256]] as Array<[number, number]>) {
    out.push(probe(`relu6-${s}x${s}x${c}`, 'fit', [s, s, c], (b, x) => activation(b, x, 'relu6')));
    out.push(probe(`sigmoid-${s}x${s}x${c}`, 'fit', [s, s, c], (b, x) => activation(b, x, 'sigmoid')));
    out.push(probe(`relu-max6-${s}x${s}x${c}`, 'fit', [s, s, c], (b, x) => b.add('ReLU', { max_value: 6 }, [x], x.shape, 'relu')));
    out.push(probe(`add-${s}x${s}x${c}`, 'fit', [s, s, c], (b, x) => addLayers(b, [x, activation(b, x, 'relu')])));
    out.push(probe(`maxpool-${s}x${s}x${c}`, 'fit', [s, s, c], (b, x) => pool(b, x, 'max')));
    out.push(probe(`avgpool-${s}x${s}x${c}`, 'fit', [s, s, c], (b, x) => pool(b, x, 'avg')));
    out.push(probe(`gap-${s}x${s}x${c}`, 'fit', [s, s, c], (b, x) => globalAveragePool(b, x)));
    out.push(probe(`pad-${s}x${s}x${c}`, 'fit', [s, s, c], (b, x) => zeroPad(b, x, 1)));
    out.push(probe(`concat-${s}x${s}x${c}`, 'fit', [s, s, c], (b, x) => concat(b, [x, activation(b, x, 'relu')])));
  }
  return out;
}

/** CIFAR VGG-16 (BN) with every conv width scaled by `width` (rounded to a multiple of 8). */
export function vggTopology(width: number, name = 'vgg16'): JsonObject {
  const plan: Array<number | 'M'> = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];
  const b = new TopologyBuilder();
  const x = b.input([32, 32, 3]);
  let y = x;
  for (const item of plan) {
    if (item === 'M') y = pool(b, y, 'max');
    else y = activation(b, batchNorm(b, conv(b, y, Math.max(8, Math.round((item * width) / 8) * 8), 3)), 'relu');
  }
  y = dense(b, dense(b, flatten(b, y), Math.max(8, Math.round((512 * width) / 8) * 8), 'relu'), 10);
  return b.build(x, y, name);
}

/** CIFAR ResNet-(6n+2) with stage widths scaled by `width`. */
export function resnetTopology(blocks: number, width: number, name = 'resnet'): JsonObject {
  const b = new TopologyBuilder();
  const x = b.input([32, 32, 3]);
  const w = (c: number): number => Math.max(8, Math.round((c * width) / 8) * 8);
  let y = activation(b, batchNorm(b, conv(b, x, w(16), 3, 1, { useBias: false })), 'relu');
  [16, 32, 64].forEach((c, s) => {
    for (let i = 0; i < blocks; i++) {
      const stride = s > 0 && i === 0 ? 2 : 1;
      let z = activation(b, batchNorm(b, conv(b, y, w(c), 3, stride, { useBias: false })), 'relu');
      z = batchNorm(b, conv(b, z, w(c), 3, 1, { useBias: false }));
      const shortcut = stride === 1 ? y : batchNorm(b, conv(b, y, w(c), 1, stride, { useBias: false }));
      y = activation(b, addLayers(b, [z, shortcut]), 'relu');
    }
  });
  y = dense(b, globalAveragePool(b, y), 10);
  return b.build(x, y, name);
}

/**
 * MobileNetV2 (alpha `width`) at a square input size: the published reference architecture. With
 * `folded`, BatchNormalization is folded into the convs and the activation set in each conv's
 * config, as in the tfjs graph model that published MobileNetV2 benchmarks run; otherwise it is
 * the Keras Layers form. `activation` (folded only) defaults to relu6; `relu` costs what a graph
 * model's fused ReLU6 clamp costs, whereas tfjs-layers runs a relu6 activation as a separate slow
 * pass (measured here: about 5× a ReLU per element on tfjs-wasm 4.22).
 */
export function mobilenetV2Topology(
  size: number,
  width: number,
  options: { folded?: boolean; activation?: 'relu6' | 'relu'; classes?: number; name?: string } = {},
): JsonObject {
  const b = new TopologyBuilder();
  const x = b.input([size, size, 3]);
  const folded = options.folded ?? false;
  const w = (c: number): number => Math.max(8, Math.round((c * width) / 8) * 8);
  const bnRelu6 = (y: Sym): Sym => (folded ? y : activation(b, batchNorm(b, y), 'relu6'));
  const bnOnly = (y: Sym): Sym => (folded ? y : batchNorm(b, y));
  const act6 = options.activation ?? 'relu6';
  const convOpts = (act: string) => (folded ? { useBias: true, activation: act === 'relu6' ? act6 : act } : { useBias: false });
  let y = bnRelu6(conv(b, x, w(32), 3, 2, convOpts('relu6')));
  let inC = w(32);
  const stages: Array<[number, number, number, number]> = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  for (const [t, c, n, s] of stages) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      let z = t === 1 ? y : bnRelu6(conv(b, y, inC * t, 1, 1, convOpts('relu6')));
      z = bnRelu6(depthwise(b, z, 3, stride, convOpts('relu6')));
      z = bnOnly(conv(b, z, w(c), 1, 1, convOpts('linear')));
      y = stride === 1 && inC === w(c) ? addLayers(b, [y, z]) : z;
      inC = w(c);
    }
  }
  y = bnRelu6(conv(b, y, Math.max(1280, w(1280)), 1, 1, convOpts('relu6')));
  y = dense(b, globalAveragePool(b, y), options.classes ?? 1000);
  return b.build(x, y, options.name ?? 'mobilenetv2');
}

/**
 * The host's stand-in for the published MobileNetV2 benchmarks (tfjs graph model: BN folded, ReLU6
 * fused as a clamp): device profiles are derived from its measured time.
 */
export const REFERENCE_PROBE = 'mobilenetv2-224-graphlike';

/** Whole networks held out from the fit, to check the prediction in total. */
function checkProbes(): Probe[] {
  const checks: Probe[] = [
    { id: 'vgg16-cifar', role: 'check', topology: vggTopology(1) },
    { id: 'vgg16-cifar-w0.5', role: 'check', topology: vggTopology(0.5) },
    { id: 'resnet20-cifar', role: 'check', topology: resnetTopology(3, 1) },
    { id: 'resnet20-cifar-w2', role: 'check', topology: resnetTopology(3, 2) },
    { id: 'mobilenetv2-224', role: 'check', topology: mobilenetV2Topology(224, 1) },
    { id: 'mobilenetv2-224-folded', role: 'check', topology: mobilenetV2Topology(224, 1, { folded: true }) },
    { id: REFERENCE_PROBE, role: 'check', topology: mobilenetV2Topology(224, 1, { folded: true, activation: 'relu' }) },
    { id: 'mobilenetv2-96-w0.5', role: 'check', topology: mobilenetV2Topology(96, 0.5) },
  ];
  return checks.map((p) => ({ ...p, network: true }));
}

/**
 * Pruned whole networks (seeded per-layer widths) fitted alongside the single layers: a runtime
 * that optimizes across layers (ONNX Runtime reorders layouts at graph edges) shows its real
 * per-layer cost only inside networks.
 */
function networkProbes(): Probe[] {
  return Object.entries(VARIANT_FAMILIES).flatMap(([family, make]) =>
    [1, 2, 3, 4].map((seed) => ({ id: `${family}-variant-${seed}`, role: 'fit' as const, topology: make(seed), network: true })),
  );
}

/** The full calibration sweep, fitted probes first. */
export function calibrationProbes(): Probe[] {
  return [...fitProbes(), ...networkProbes(), ...checkProbes()];
}
