// Building blocks of the layer rules' cost knowledge: kernel-free layers, elementwise passes, activation functions.
import type { OpKind } from '../core/schemas.ts';
import type { JsonObject } from '../core/types.ts';
import type { CostContext, LayerCost, LayerOp } from './rule-types.ts';
import { sizeOf } from './shapes.ts';

/** Activation functions that cost next to nothing (fused into the kernel's output loop, or a plain max). */
const CHEAP_ACTIVATIONS = new Set(['linear', 'relu']);

/** The activation-function pass of a layer's `activation` config, if it is not a cheap one (marked fused: it runs in the layer's kernel). */
export function activationOps(config: JsonObject, output: number[]): LayerOp[] {
  const fn = config['activation'];
  if (typeof fn !== 'string' || CHEAP_ACTIVATIONS.has(fn)) return [];
  return [{ kind: fn === 'relu6' ? 'clip' : 'activation', work: sizeOf(output), fused: true }];
}

/** A layer that runs no kernel at inference (the model's input). */
export const NO_KERNEL: LayerCost = { ops: () => [] };

/** A layer whose output is its input reinterpreted or passed at inference (Flatten, Reshape, Dropout): no kernel, no new buffer. */
export const VIEW: LayerCost = { ops: () => [], aliasesInput: true };

/** One pass of `kind` over the output elements. */
export function outputPass(kind: OpKind): LayerCost {
  return { ops: ({ output }: CostContext) => [{ kind, work: sizeOf(output) }] };
}

/** One elementwise pass over the output (padding, concatenation, ...). */
export const ELEMENTWISE: LayerCost = outputPass('elementwise');

/** A merge: one elementwise pass over the output per extra input. */
export const MERGE: LayerCost = {
  ops: ({ inputs, output }) => [{ kind: 'elementwise', work: sizeOf(output) * Math.max(1, inputs.length - 1) }],
};

/** The cost of a conv or dense layer whose main op is `kind` at its MACs, plus its activation pass; a fusion host. */
export function kernelCost(kind: 'conv' | 'depthwise' | 'dense'): LayerCost {
  return {
    ops: ({ inputs, output, config, macs }) => {
      const op: LayerOp = { kind, work: macs };
      if (kind !== 'dense') op.channels = { in: inputs[0]?.[2] ?? 0, out: output[2] ?? 0 };
      return [op, ...activationOps(config, output)];
    },
    fusionHost: true,
  };
}

/** A ReLU-like layer: an elementwise pass that fuses as `relu`. */
export const RELU: LayerCost = { ...ELEMENTWISE, fusesAs: () => ({ fusion: 'activation', fn: 'relu' }) };
