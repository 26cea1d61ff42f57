// LAYER_RULES: the one table of layer semantics (shapes, channels, cost), keyed by Keras class name (DESIGN.md §1).
import { fail } from '../core/errors.ts';
import type { ChannelKind, LayerRule } from './rule-types.ts';
import type { JsonObject } from '../core/types.ts';
import { activationLayer, prelu } from './activation-rules.ts';
import { channelSlice, upSampling2d } from './dense-rules.ts';
import { batchNormalization, conv2d, dense, depthwiseConv2d, separableConv2d } from './conv-rules.ts';
import {
  activation, concatenate, dropout, elu, flatten, globalPooling2d, inputLayer, merge, pooling2d, relu, reshape, softmax, zeroPadding2d,
} from './shape-rules.ts';

/** Every supported layer kind. Adding a layer kind = one rule here + one ONNX emitter + one fixture. */
export const LAYER_RULES: Readonly<Record<string, LayerRule>> = {
  InputLayer: inputLayer,
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  Dense: dense,
  BatchNormalization: batchNormalization,
  ReLU: relu,
  LeakyReLU: relu,
  ELU: elu,
  PReLU: prelu,
  HardSwish: activationLayer,
  HardSigmoid: activationLayer,
  Activation: activation,
  Dropout: dropout,
  SpatialDropout2D: dropout,
  ZeroPadding2D: zeroPadding2d,
  MaxPooling2D: pooling2d,
  AveragePooling2D: pooling2d,
  GlobalAveragePooling2D: globalPooling2d,
  GlobalMaxPooling2D: globalPooling2d,
  Flatten: flatten,
  Reshape: reshape,
  Add: merge,
  Multiply: merge,
  Average: merge,
  Maximum: merge,
  Minimum: merge,
  Subtract: merge,
  Concatenate: concatenate,
  Softmax: softmax,
  ChannelSlice: channelSlice,
  UpSampling2D: upSampling2d,
  BilinearUpSampling2D: upSampling2d,
};

/** The rule of a class, or undefined when the class is not supported. */
export function findRule(className: string): LayerRule | undefined {
  return Object.prototype.hasOwnProperty.call(LAYER_RULES, className) ? LAYER_RULES[className] : undefined;
}

/** The rule of a class, or an UNSUPPORTED_LAYER error naming the layer. */
export function requireRule(className: string, layer: string): LayerRule {
  const rule = findRule(className);
  if (!rule) {
    fail('UNSUPPORTED_LAYER', {
      expected: `one of the supported layer classes (${Object.keys(LAYER_RULES).join(', ')})`,
      found: `class "${className}"`,
      where: `layer "${layer}"`,
      hint: 'rerun with --lock-unknown to keep such layers unpruned (their channels are locked)',
    });
  }
  return rule;
}

/** How a layer with this rule and config treats channels. */
export function channelKindOf(rule: LayerRule, config: JsonObject): ChannelKind {
  return typeof rule.channels === 'function' ? rule.channels(config) : rule.channels;
}
