// Layer rules for the weighted layers: Conv2D, DepthwiseConv2D, SeparableConv2D, Dense, BatchNormalization (shapes, channels, cost).
import { fail } from '../core/errors.ts';
import type { JsonObject } from '../core/types.ts';
import { readChoice, readInt, readPair } from './config.ts';
import { activationOps, kernelCost, outputPass } from './cost.ts';
import type { LayerRule } from './rule-types.ts';
import { requireImage, sizeOf, windowShape } from './shapes.ts';

/** Spatial output of a conv-like layer from its config. */
function convSpatial(inputs: number[][], config: JsonObject, layer: string): [number, number, number] {
  readChoice(config, 'data_format', layer, ['channels_last'], 'channels_last');
  const input = requireImage(inputs[0], layer);
  const kernel = readPair(config, 'kernel_size', layer);
  const strides = readPair(config, 'strides', layer, 1);
  const dilation = readPair(config, 'dilation_rate', layer, 1);
  const padding = readChoice(config, 'padding', layer, ['same', 'valid'], 'valid');
  const [h, w] = windowShape(input, kernel, strides, dilation, padding, layer);
  return [h, w, input[2]];
}

/** Depthwise multiplier, which must be 1. */
function requireMultiplierOne(config: JsonObject, layer: string): void {
  const m = readInt(config, 'depth_multiplier', layer, 1);
  if (m !== 1) {
    fail('UNSUPPORTED_LAYER', {
      expected: 'depth_multiplier 1',
      found: `depth_multiplier ${m}`,
      where: `layer "${layer}"`,
      hint: 'edge-prune prunes depthwise layers with multiplier 1 only; use --lock-unknown to keep it unpruned',
    });
  }
}

const bias = { name: 'bias', optional: true };

/** Conv2D: output channels start a space; kernel [kh, kw, in, out]. */
export const conv2d: LayerRule = {
  channels: 'producer',
  slots: [{ name: 'kernel' }, bias],
  outputShape: (inputs, config, layer) => {
    const [h, w] = convSpatial(inputs, config, layer);
    return [h, w, readInt(config, 'filters', layer)];
  },
  weightShape: (slot, inputs, config, layer) => {
    const filters = readInt(config, 'filters', layer);
    if (slot === 'bias') return [filters];
    const [kh, kw] = readPair(config, 'kernel_size', layer);
    return [kh, kw, requireImage(inputs[0], layer)[2], filters];
  },
  macs: (inputs, output, config) => {
    const [kh, kw] = readPair(config, 'kernel_size', '?');
    return sizeOf(output) * kh * kw * (inputs[0]?.[2] ?? 0);
  },
  inAxes: [{ slot: 'kernel', axis: 2 }],
  outAxes: [{ slot: 'kernel', axis: 3 }, { slot: 'bias', axis: 0 }],
  countField: 'filters',
  cost: kernelCost('conv'),
};

/** DepthwiseConv2D (multiplier 1): passes the space; its kernel is in the FSCL path. */
export const depthwiseConv2d: LayerRule = {
  channels: 'pass',
  slots: [{ name: 'depthwise_kernel' }, bias],
  outputShape: (inputs, config, layer) => {
    requireMultiplierOne(config, layer);
    return convSpatial(inputs, config, layer);
  },
  weightShape: (slot, inputs, config, layer) => {
    const c = requireImage(inputs[0], layer)[2];
    if (slot === 'bias') return [c];
    const [kh, kw] = readPair(config, 'kernel_size', layer);
    return [kh, kw, c, 1];
  },
  macs: (_inputs, output, config) => {
    const [kh, kw] = readPair(config, 'kernel_size', '?');
    return sizeOf(output) * kh * kw;
  },
  passAxes: [{ slot: 'depthwise_kernel', axis: 2 }, { slot: 'bias', axis: 0 }],
  depthwise: true,
  cost: kernelCost('depthwise'),
};

/** SeparableConv2D: depthwise then pointwise; reads a space and starts a new one. */
export const separableConv2d: LayerRule = {
  channels: 'producer',
  slots: [{ name: 'depthwise_kernel' }, { name: 'pointwise_kernel' }, bias],
  outputShape: (inputs, config, layer) => {
    requireMultiplierOne(config, layer);
    const [h, w] = convSpatial(inputs, config, layer);
    return [h, w, readInt(config, 'filters', layer)];
  },
  weightShape: (slot, inputs, config, layer) => {
    const filters = readInt(config, 'filters', layer);
    const c = requireImage(inputs[0], layer)[2];
    if (slot === 'bias') return [filters];
    if (slot === 'pointwise_kernel') return [1, 1, c, filters];
    const [kh, kw] = readPair(config, 'kernel_size', layer);
    return [kh, kw, c, 1];
  },
  macs: (inputs, output, config) => {
    const [kh, kw] = readPair(config, 'kernel_size', '?');
    const c = inputs[0]?.[2] ?? 0;
    const positions = (output[0] ?? 0) * (output[1] ?? 0);
    return positions * kh * kw * c + sizeOf(output) * c;
  },
  inAxes: [{ slot: 'depthwise_kernel', axis: 2 }, { slot: 'pointwise_kernel', axis: 2 }],
  outAxes: [{ slot: 'pointwise_kernel', axis: 3 }, { slot: 'bias', axis: 0 }],
  countField: 'filters',
  cost: {
    // Depthwise (multiplier 1, the only one the rule accepts) on the input channels, then pointwise.
    ops: ({ inputs, output, config, layer, macs }) => {
      const [kh, kw] = readPair(config, 'kernel_size', layer);
      const cin = inputs[0]?.[2] ?? 0;
      const depthwise = (output[0] ?? 0) * (output[1] ?? 0) * kh * kw * cin;
      return [
        { kind: 'depthwise', work: depthwise, channels: { in: cin, out: cin } },
        { kind: 'conv', work: macs - depthwise, channels: { in: cin, out: output[2] ?? 0 } },
        ...activationOps(config, output),
      ];
    },
    fusionHost: true,
  },
};

/** Dense: acts on the last axis; output units start a space; kernel [in, out]. */
export const dense: LayerRule = {
  channels: 'producer',
  slots: [{ name: 'kernel' }, bias],
  outputShape: (inputs, config, layer) => {
    const input = inputs[0] ?? [];
    if (input.length < 1) fail('INVALID_MODEL', { expected: 'an input of rank ≥ 1', found: 'a scalar', where: `layer "${layer}"`, hint: 'check the model topology' });
    return [...input.slice(0, -1), readInt(config, 'units', layer)];
  },
  weightShape: (slot, inputs, config, layer) => {
    const units = readInt(config, 'units', layer);
    const input = inputs[0] ?? [];
    return slot === 'bias' ? [units] : [input[input.length - 1] ?? 0, units];
  },
  macs: (inputs, output) => {
    const input = inputs[0] ?? [];
    return sizeOf(output) * (input[input.length - 1] ?? 0);
  },
  inAxes: [{ slot: 'kernel', axis: 0 }],
  outAxes: [{ slot: 'kernel', axis: 1 }, { slot: 'bias', axis: 0 }],
  countField: 'units',
  cost: kernelCost('dense'),
};

/** BatchNormalization on the channel axis: passes the space; all four vectors are members. */
export const batchNormalization: LayerRule = {
  channels: 'pass',
  slots: [{ name: 'gamma', optional: true }, { name: 'beta', optional: true }, { name: 'moving_mean' }, { name: 'moving_variance' }],
  outputShape: (inputs, config, layer) => {
    const input = inputs[0] ?? [];
    const axis = config['axis'];
    const ax = Array.isArray(axis) ? axis[0] : axis;
    if (ax !== undefined && ax !== -1 && ax !== input.length) {
      fail('UNSUPPORTED_LAYER', {
        expected: 'BatchNormalization over the last (channel) axis',
        found: `axis ${JSON.stringify(axis)}`,
        where: `layer "${layer}"`,
        hint: 'edge-prune supports channels-last models only',
      });
    }
    return input;
  },
  weightShape: (_slot, inputs) => {
    const input = inputs[0] ?? [];
    return [input[input.length - 1] ?? 0];
  },
  passAxes: [
    { slot: 'gamma', axis: 0 },
    { slot: 'beta', axis: 0 },
    { slot: 'moving_mean', axis: 0 },
    { slot: 'moving_variance', axis: 0 },
  ],
  cost: { ...outputPass('batchnorm'), fusesAs: () => ({ fusion: 'batchnorm' }) },
};
