// Layer rules for weightless layers: input, activations, dropout, padding, pooling, flatten, reshape, merges (shapes, channels, cost).
import { fail } from '../core/errors.ts';
import type { JsonObject } from '../core/types.ts';
import { readChoice, readPair } from './config.ts';
import { activationOps, ELEMENTWISE, MERGE, NO_KERNEL, outputPass, RELU, VIEW } from './cost.ts';
import type { LayerRule } from './rule-types.ts';
import { requireImage, sizeOf, windowShape } from './shapes.ts';

/** Shape-preserving rule for elementwise single-input layers. */
const same = (inputs: number[][]): number[] => inputs[0] ?? [];

/** InputLayer: the model's input channels (locked). */
export const inputLayer: LayerRule = {
  channels: 'input',
  slots: [],
  outputShape: (_inputs, config, layer) => {
    const shape = config['batch_input_shape'] ?? config['batchInputShape'] ?? config['batch_shape'];
    if (!Array.isArray(shape) || shape.length < 2 || !shape.slice(1).every((d) => Number.isInteger(d) && d > 0 && d < 1 << 20)) {
      fail('INVALID_MODEL', {
        expected: 'batch_input_shape [null, ...positive sizes]',
        found: JSON.stringify(shape),
        where: `layer "${layer}"`,
        hint: 'give the model a fixed input size (e.g. [null, 32, 32, 3])',
      });
    }
    return shape.slice(1) as number[];
  },
  cost: NO_KERNEL,
};

/** ReLU and LeakyReLU: one elementwise pass, fusable as `relu` into a conv before it. */
export const relu: LayerRule = { channels: 'pass', slots: [], outputShape: same, cost: RELU };

/** ELU: one activation pass. */
export const elu: LayerRule = { channels: 'pass', slots: [], outputShape: same, cost: outputPass('activation') };

/** Dropout and SpatialDropout2D: the identity at inference (no kernel runs). */
export const dropout: LayerRule = { channels: 'pass', slots: [], outputShape: same, cost: VIEW };

/** Activation: elementwise except softmax, which mixes channels. */
export const activation: LayerRule = {
  channels: (config: JsonObject) => (config['activation'] === 'softmax' ? 'mixing' : 'pass'),
  slots: [],
  outputShape: same,
  cost: {
    // The layer's own pass (not fused into a conv): whether the whole layer fuses is decided by `fusesAs`.
    ops: ({ config, output }) => {
      const act = activationOps(config, output).map(({ kind, work }) => ({ kind, work }));
      return act.length > 0 ? act : [{ kind: 'elementwise', work: sizeOf(output) }];
    },
    fusesAs: (config) => ({ fusion: 'activation', fn: config['activation'] }),
  },
};

/** Softmax over the last axis mixes channels. */
export const softmax: LayerRule = { channels: 'mixing', slots: [], outputShape: same, cost: outputPass('activation') };

/** ZeroPadding2D: spatial padding only. */
export const zeroPadding2d: LayerRule = {
  channels: 'pass',
  slots: [],
  outputShape: (inputs, config, layer) => {
    const [h, w, c] = requireImage(inputs[0], layer);
    const p = config['padding'] ?? 1;
    const pads = typeof p === 'number' ? [[p, p], [p, p]] : Array.isArray(p) && typeof p[0] === 'number' ? [[p[0], p[0]], [p[1], p[1]]] : p;
    if (!Array.isArray(pads) || pads.length !== 2 || !pads.every((x) => Array.isArray(x) && x.length === 2 && x.every((v) => Number.isInteger(v) && v >= 0))) {
      fail('INVALID_MODEL', { expected: 'padding as int, [h, w] or [[top, bottom], [left, right]]', found: JSON.stringify(p), where: `layer "${layer}"`, hint: 'check the model topology' });
    }
    const [[t, b], [l, r]] = pads as [[number, number], [number, number]];
    return [h + t + b, w + l + r, c];
  },
  cost: ELEMENTWISE,
};

/** Max/AveragePooling2D: a window over each channel. */
export const pooling2d: LayerRule = {
  channels: 'pass',
  slots: [],
  outputShape: (inputs, config, layer) => {
    const input = requireImage(inputs[0], layer);
    const pool = readPair(config, 'pool_size', layer, 2);
    const strides = config['strides'] == null ? pool : readPair(config, 'strides', layer);
    const padding = readChoice(config, 'padding', layer, ['same', 'valid'], 'valid');
    return [...windowShape(input, pool, strides, [1, 1], padding, layer), input[2]];
  },
  cost: {
    // Each output element reads its window.
    ops: ({ output, config, layer }) => {
      const [ph, pw] = readPair(config, 'pool_size', layer, 2);
      return [{ kind: 'pool', work: sizeOf(output) * ph * pw }];
    },
  },
};

/** GlobalAverage/GlobalMaxPooling2D: one value per channel. */
export const globalPooling2d: LayerRule = {
  channels: 'pass',
  slots: [],
  outputShape: (inputs, config, layer) => {
    const [, , c] = requireImage(inputs[0], layer);
    return config['keepdims'] === true ? [1, 1, c] : [c];
  },
  cost: { ops: ({ inputs }) => [{ kind: 'pool', work: sizeOf(inputs[0] ?? []) }] },
};

/** Flatten: H×W×C to one vector, channel c owns positions p·C + c. */
export const flatten: LayerRule = {
  channels: 'flatten',
  slots: [],
  outputShape: (inputs) => [sizeOf(inputs[0] ?? [])],
  cost: VIEW,
};

/** Reshape: passes channels only when the last axis is kept. */
export const reshape: LayerRule = {
  channels: 'reshape',
  slots: [],
  outputShape: (inputs, config, layer) => {
    const target = config['target_shape'] ?? config['targetShape'];
    const input = inputs[0] ?? [];
    if (!Array.isArray(target) || !target.every((d) => Number.isInteger(d) && (d > 0 || d === -1))) {
      fail('INVALID_MODEL', { expected: 'target_shape as a list of sizes', found: JSON.stringify(target), where: `layer "${layer}"`, hint: 'check the model topology' });
    }
    const known = target.filter((d) => d !== -1).reduce((a: number, b: number) => a * b, 1);
    const shape = target.map((d: number) => (d === -1 ? sizeOf(input) / known : d));
    if (sizeOf(shape) !== sizeOf(input)) {
      fail('INVALID_MODEL', { expected: `a target_shape with ${sizeOf(input)} elements`, found: JSON.stringify(target), where: `layer "${layer}"`, hint: 'check the model topology' });
    }
    return shape;
  },
  cost: VIEW,
};

/** Add/Multiply/Average/Maximum/Minimum/Subtract: inputs and output share one space; sizes of 1 broadcast. */
export const merge: LayerRule = {
  channels: 'merge',
  slots: [],
  outputShape: (inputs, _config, layer) => {
    const rank = Math.max(...inputs.map((s) => s.length));
    const out: number[] = new Array<number>(rank).fill(1);
    for (const shape of inputs) {
      const pad = rank - shape.length;
      shape.forEach((d, i) => {
        const cur = out[pad + i] as number;
        if (cur !== d && cur !== 1 && d !== 1) {
          fail('INVALID_MODEL', { expected: `inputs whose shapes broadcast to one another`, found: inputs.map((x) => `[${x.join(', ')}]`).join(' and '), where: `layer "${layer}"`, hint: 'merge layers need equal (or broadcastable) input shapes' });
        }
        out[pad + i] = cur === 1 ? d : cur;
      });
    }
    const channels = out[rank - 1];
    if (inputs.some((s) => s[s.length - 1] !== channels)) {
      fail('UNSUPPORTED_LAYER', { expected: 'equal channel counts on every input', found: inputs.map((x) => `[${x.join(', ')}]`).join(' and '), where: `layer "${layer}"`, hint: 'broadcasting over the channel axis is not supported; give both inputs the same channel count' });
    }
    return out;
  },
  cost: MERGE,
};

/**
 * The axis a Concatenate joins, as an index into a batch-less shape of `rank` dimensions. Keras
 * counts the batch axis: on [N, H, W, C] tensors axis 3 (or -1) is the channel axis.
 */
export function concatAxis(config: JsonObject, rank: number, layer: string): number {
  const raw = config['axis'] ?? -1;
  const axis = typeof raw === 'number' ? (raw < 0 ? rank + raw : raw - 1) : Number.NaN;
  if (!Number.isInteger(axis) || axis < 0 || axis >= rank) {
    fail('INVALID_MODEL', { expected: `a Concatenate axis in 1..${rank} or -${rank}..-1 (Keras counts the batch axis)`, found: JSON.stringify(raw) ?? 'nothing', where: `layer "${layer}"`, hint: 'check the model topology' });
  }
  return axis;
}

/** Concatenate: along the channel axis the output is the inputs' channels at offsets. */
export const concatenate: LayerRule = {
  /** On a non-channel axis the groups stage treats it as a merge (channels shared). */
  channels: 'concat',
  slots: [],
  outputShape: (inputs, config, layer) => {
    const first = inputs[0] ?? [];
    const rank = first.length;
    const axis = concatAxis(config, rank, layer);
    const out = [...first];
    out[axis] = 0;
    for (const shape of inputs) {
      if (shape.length !== rank || shape.some((d, i) => i !== axis && d !== first[i])) {
        fail('INVALID_MODEL', { expected: 'inputs that differ only on the concatenation axis', found: `[${shape.join(', ')}] vs [${first.join(', ')}]`, where: `layer "${layer}"`, hint: 'check the model topology' });
      }
      out[axis] = (out[axis] ?? 0) + (shape[axis] ?? 0);
    }
    return out;
  },
  cost: ELEMENTWISE,
};
