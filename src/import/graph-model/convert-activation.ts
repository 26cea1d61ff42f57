// Activation ops (Relu, Relu6, Elu, Sigmoid, Tanh, LeakyRelu, Prelu, Softmax) as Keras layers or folded into their producer.
import type { LayerRecord } from '../keras-builder.ts';
import { readFloatAttr, unsupported } from './attrs.ts';
import { channelsOf, perChannel, type ConvertContext, type GraphValue } from './convert-context.ts';

/** Keras activation names of the TF ops that can live in a layer's `activation` field. */
export const KERAS_ACTIVATION: Readonly<Record<string, string>> = {
  Relu: 'relu',
  Relu6: 'relu6',
  Elu: 'elu',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
};

/** Layer kinds whose config carries an activation that may absorb the next op. */
const WITH_ACTIVATION = new Set(['Conv2D', 'DepthwiseConv2D', 'Dense']);

/** A standalone layer for an activation op. */
function addActivationLayer(ctx: ConvertContext, op: string, x: LayerRecord, alpha?: number): LayerRecord {
  switch (op) {
    case 'Relu':
      return ctx.add('ReLU', {}, [x]);
    case 'Relu6':
      return ctx.add('ReLU', { max_value: 6 }, [x]);
    case 'Elu':
      return ctx.add('ELU', { alpha: 1 }, [x]);
    case 'LeakyRelu':
      return ctx.add('LeakyReLU', { alpha: alpha ?? 0.2 }, [x]);
    default:
      return ctx.add('Activation', { activation: KERAS_ACTIVATION[op] as string }, [x]);
  }
}

/**
 * Apply an activation op to a layer value: folded into the producing Conv2D/DepthwiseConv2D/Dense
 * when its activation is linear and nothing else reads it, else a layer of its own.
 */
export function applyActivation(ctx: ConvertContext, op: string, x: LayerRecord, alpha?: number): LayerRecord {
  const keras = KERAS_ACTIVATION[op];
  if (keras && WITH_ACTIVATION.has(x.className) && (x.config['activation'] ?? 'linear') === 'linear' && ctx.absorbable(x)) {
    x.config['activation'] = keras;
    return x;
  }
  return addActivationLayer(ctx, op, x, alpha);
}

/** A PReLU layer with one slope per channel (shared over H and W). */
export function addPrelu(ctx: ConvertContext, x: LayerRecord, slopes: Float32Array): LayerRecord {
  const c = channelsOf(x);
  if (x.outputShape.length !== 3) unsupported(ctx.node, 'Prelu on an image (H, W, C)', `a value of shape [${x.outputShape.join(', ')}]`);
  return ctx.add('PReLU', { shared_axes: [1, 2] }, [x], [{ slot: 'alpha', shape: [1, 1, c], data: slopes }]);
}

/** Relu, Relu6, Elu, Sigmoid, Tanh, LeakyRelu. */
export function convertActivation(ctx: ConvertContext): GraphValue {
  const { op } = ctx.node;
  const alpha = op === 'LeakyRelu' ? readFloatAttr(ctx.node, 'alpha', 0.2) : undefined;
  return { kind: 'layer', record: applyActivation(ctx, op, ctx.layerInput(0), alpha) };
}

/** Prelu(x, alpha) with a constant per-channel alpha. */
export function convertPrelu(ctx: ConvertContext): GraphValue {
  const x = ctx.layerInput(0);
  return { kind: 'layer', record: addPrelu(ctx, x, perChannel(ctx, ctx.constInput(1), channelsOf(x))) };
}

/** Softmax over the last axis. */
export function convertSoftmax(ctx: ConvertContext): GraphValue {
  return { kind: 'layer', record: ctx.add('Softmax', { axis: -1 }, [ctx.layerInput(0)]) };
}
