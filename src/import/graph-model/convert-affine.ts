// Per-channel affine ops (BiasAdd, FusedBatchNorm, Add/Sub/Mul/RealDiv by a constant) and binary merges of two layer values.
import { affineBatchNorm } from '../affine-layer.ts';
import type { LayerRecord } from '../keras-builder.ts';
import { readFloatAttr, readBoolAttr, requireNhwc, unsupported } from './attrs.ts';
import { channelsOf, perChannel, type ConvertContext, type GraphValue } from './convert-context.ts';

/** Layer kinds whose bias can absorb an added constant (when their activation is linear). */
const WITH_BIAS = new Set(['Conv2D', 'DepthwiseConv2D', 'Dense']);

/** The weight data of a slot, or undefined. */
function slotData(record: LayerRecord, slot: string): Float32Array | undefined {
  return record.weights.find((w) => w.slot === slot)?.data;
}

/** A BatchNormalization layer computing x·scale + shift (moving mean 0, variance 1 − ε). */
function addAffineLayer(ctx: ConvertContext, x: LayerRecord, scale: Float32Array, shift: Float32Array): LayerRecord {
  const { config, weights } = affineBatchNorm(scale, shift);
  return ctx.add('BatchNormalization', config, [x], weights);
}

/** x + b per channel: into the producer's bias (or BN beta) when it may absorb it, else an affine layer. */
export function addBias(ctx: ConvertContext, x: LayerRecord, b: Float32Array): LayerRecord {
  const linear = (x.config['activation'] ?? 'linear') === 'linear';
  if (WITH_BIAS.has(x.className) && linear && ctx.absorbable(x)) {
    const bias = slotData(x, 'bias');
    if (bias) for (let i = 0; i < b.length; i++) bias[i] = (bias[i] as number) + (b[i] as number);
    else x.weights.push({ slot: 'bias', shape: [b.length], data: Float32Array.from(b) });
    x.config['use_bias'] = true;
    return x;
  }
  const beta = x.className === 'BatchNormalization' && ctx.absorbable(x) ? slotData(x, 'beta') : undefined;
  if (beta) {
    for (let i = 0; i < b.length; i++) beta[i] = (beta[i] as number) + (b[i] as number);
    return x;
  }
  return addAffineLayer(ctx, x, new Float32Array(b.length).fill(1), Float32Array.from(b));
}

/** x · s per channel: into a BN's gamma and beta when it may absorb it, else an affine layer. */
export function scaleBy(ctx: ConvertContext, x: LayerRecord, s: Float32Array): LayerRecord {
  const gamma = x.className === 'BatchNormalization' && ctx.absorbable(x) ? slotData(x, 'gamma') : undefined;
  const beta = gamma ? slotData(x, 'beta') : undefined;
  if (gamma && beta) {
    for (let i = 0; i < s.length; i++) {
      gamma[i] = (gamma[i] as number) * (s[i] as number);
      beta[i] = (beta[i] as number) * (s[i] as number);
    }
    return x;
  }
  return addAffineLayer(ctx, x, Float32Array.from(s), new Float32Array(s.length));
}

/** BiasAdd(x, b). */
export function convertBiasAdd(ctx: ConvertContext): GraphValue {
  requireNhwc(ctx.node);
  const x = ctx.layerInput(0);
  return { kind: 'layer', record: addBias(ctx, x, perChannel(ctx, ctx.constInput(1), channelsOf(x))) };
}

/** FusedBatchNorm / V2 / V3 in inference mode: a BatchNormalization layer. */
export function convertFusedBatchNorm(ctx: ConvertContext): GraphValue {
  requireNhwc(ctx.node);
  if (readBoolAttr(ctx.node, 'is_training', false)) unsupported(ctx.node, 'is_training false (inference)', 'is_training true', 'freeze the model for inference before converting');
  const x = ctx.layerInput(0);
  const c = channelsOf(x);
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => perChannel(ctx, ctx.constInput(i), c)) as Float32Array[];
  const epsilon = readFloatAttr(ctx.node, 'epsilon', 1e-4);
  const record = ctx.add('BatchNormalization', { axis: -1, epsilon, center: true, scale: true, momentum: 0.99 }, [x], [
    { slot: 'gamma', shape: [c], data: gamma as Float32Array },
    { slot: 'beta', shape: [c], data: beta as Float32Array },
    { slot: 'moving_mean', shape: [c], data: mean as Float32Array },
    { slot: 'moving_variance', shape: [c], data: variance as Float32Array },
  ]);
  return { kind: 'layer', record };
}

/** Keras merge layers of the binary TF ops on two layer values. */
const MERGE_CLASS: Readonly<Record<string, string>> = { Add: 'Add', AddV2: 'Add', Sub: 'Subtract', Mul: 'Multiply', Maximum: 'Maximum', Minimum: 'Minimum' };

/**
 * Add/AddV2/Sub/Mul/RealDiv/Maximum/Minimum: two layer values become a merge layer; a layer and a
 * per-channel constant become a bias or a scale (folded into the producer when possible).
 */
export function convertBinary(ctx: ConvertContext): GraphValue {
  const { op } = ctx.node;
  const [a, b] = [ctx.input(0), ctx.input(1)];
  if (a.kind === 'layer' && b.kind === 'layer') {
    const cls = MERGE_CLASS[op];
    if (!cls) unsupported(ctx.node, `${op} with a constant divisor`, 'two computed tensors');
    return { kind: 'layer', record: ctx.add(cls, {}, [a.record, b.record]) };
  }
  const layerFirst = a.kind === 'layer';
  const [layer, constant] = layerFirst ? [a, b] : [b, a];
  if (layer.kind !== 'layer' || constant.kind !== 'const') return unsupported(ctx.node, 'an input computed from the model input', 'two constants');
  const x = layer.record;
  const c = perChannel(ctx, constant.tensor, channelsOf(x));
  if (op === 'Add' || op === 'AddV2') return { kind: 'layer', record: addBias(ctx, x, c) };
  if (op === 'Mul') return { kind: 'layer', record: scaleBy(ctx, x, c) };
  if (op === 'Sub' && layerFirst) return { kind: 'layer', record: addBias(ctx, x, c.map((v) => -v)) };
  if (op === 'Sub') return { kind: 'layer', record: addBias(ctx, scaleBy(ctx, x, new Float32Array(c.length).fill(-1)), c) };
  if (op === 'RealDiv' && layerFirst) return { kind: 'layer', record: scaleBy(ctx, x, c.map((v) => 1 / v)) };
  return unsupported(ctx.node, `${op} of a layer by a constant in a form edge-prune maps (x+c, x−c, c−x, x·c, x/c)`, `${op} with the constant as input ${layerFirst ? 1 : 0}`);
}

/** AddN of layer values: one Add layer. */
export function convertAddN(ctx: ConvertContext): GraphValue {
  const inputs = ctx.node.inputs.map((_, i) => ctx.layerInput(i));
  if (inputs.length === 1) return { kind: 'layer', record: inputs[0] as LayerRecord };
  return { kind: 'layer', record: ctx.add('Add', {}, inputs) };
}
