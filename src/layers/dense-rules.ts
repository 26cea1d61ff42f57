// Layer rules for the blocks of detectors and dense-prediction models: a channel slice (ONNX Split/Slice) and up-sampling (Resize).
import { fail } from '../core/errors.ts';
import type { JsonObject } from '../core/types.ts';
import { readChoice, readInt, readPair } from './config.ts';
import type { LayerRule } from './rule-types.ts';
import { requireImage, sizeOf } from './shapes.ts';

/** `begin` and `size` of a ChannelSlice config, checked against the input's channel count. */
export function readChannelSlice(config: JsonObject, channels: number, layer: string): { begin: number; size: number } {
  const begin = readInt(config, 'begin', layer);
  const size = readInt(config, 'size', layer);
  if (begin < 0 || size < 1 || begin + size > channels) {
    fail('INVALID_MODEL', { expected: `a channel range inside 0..${channels}`, found: `begin ${begin}, size ${size}`, where: `layer "${layer}" (ChannelSlice)`, hint: 'check the model topology' });
  }
  return { begin, size };
}

/**
 * ChannelSlice: channels [begin, begin + size) of its input on the last axis (a part of a C2f/CSP
 * split). Its output is a part of its input's channel space: the groups stage splits the producer's
 * space at the slice's edges, and `begin`/`size` shrink with the channels pruned before and inside it.
 */
export const channelSlice: LayerRule = {
  channels: 'slice',
  slots: [],
  outputShape: (inputs, config, layer) => {
    const input = inputs[0] ?? [];
    const { size } = readChannelSlice(config, input[input.length - 1] ?? 0, layer);
    return [...input.slice(0, -1), size];
  },
  cost: { ops: ({ output }) => [{ kind: 'elementwise', work: sizeOf(output) }] },
};

/** How many input pixels an up-sampling output pixel reads. */
const READS: Record<string, number> = { nearest: 1, bilinear: 4 };

/**
 * UpSampling2D (nearest, or bilinear on TF's asymmetric grid) and BilinearUpSampling2D (bilinear on
 * the half-pixel grid, PyTorch's align_corners=False): integer scales, channels pass through.
 */
export const upSampling2d: LayerRule = {
  channels: 'pass',
  slots: [],
  outputShape: (inputs, config, layer) => {
    const [h, w, c] = requireImage(inputs[0], layer);
    const [sh, sw] = readPair(config, 'size', layer, 2);
    readChoice(config, 'interpolation', layer, ['nearest', 'bilinear'], 'nearest');
    return [h * sh, w * sw, c];
  },
  cost: {
    ops: ({ output, config, layer }) => [{ kind: 'elementwise', work: sizeOf(output) * (READS[readChoice(config, 'interpolation', layer, ['nearest', 'bilinear'], 'nearest')] ?? 1) }],
  },
};
