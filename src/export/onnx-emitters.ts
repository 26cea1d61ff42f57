// ONNX_EMITTERS: the one table of ONNX emitters, keyed by Keras class name like LAYER_RULES (DESIGN.md §1).
import type { EmitContext, OnnxValue } from './onnx-context.ts';
import { emitChannelSlice, emitUpSampling } from './dense-emitters.ts';
import { emitHardSigmoidLayer, emitHardSwishLayer, emitPreluLayer } from './onnx-activation-layers.ts';
import {
  emitBatchNormalization, emitConv2d, emitDense, emitDepthwiseConv2d, emitSeparableConv2d,
} from './onnx-conv-emitters.ts';
import {
  emitActivationLayer, emitConcatenate, emitEluLayer, emitFlatten, emitGlobalPooling2d, emitIdentity, emitLeakyReluLayer,
  emitMerge, emitPooling2d, emitReluLayer, emitReshape, emitSoftmaxLayer, emitZeroPadding2d,
} from './onnx-shape-emitters.ts';

/** Writes the ONNX nodes of one layer and returns the value of its output. */
export type OnnxEmitter = (ctx: EmitContext) => OnnxValue;

/**
 * Every layer kind the ONNX exporter writes (InputLayer is handled by the graph builder, which
 * creates the graph input). Adding a layer kind = one rule in LAYER_RULES + one emitter here.
 */
export const ONNX_EMITTERS: Readonly<Record<string, OnnxEmitter>> = {
  Conv2D: emitConv2d,
  DepthwiseConv2D: emitDepthwiseConv2d,
  SeparableConv2D: emitSeparableConv2d,
  Dense: emitDense,
  BatchNormalization: emitBatchNormalization,
  ReLU: emitReluLayer,
  LeakyReLU: emitLeakyReluLayer,
  ELU: emitEluLayer,
  PReLU: emitPreluLayer,
  HardSwish: emitHardSwishLayer,
  HardSigmoid: emitHardSigmoidLayer,
  Activation: emitActivationLayer,
  Softmax: emitSoftmaxLayer,
  Dropout: emitIdentity,
  SpatialDropout2D: emitIdentity,
  ZeroPadding2D: emitZeroPadding2d,
  MaxPooling2D: emitPooling2d,
  AveragePooling2D: emitPooling2d,
  GlobalAveragePooling2D: emitGlobalPooling2d,
  GlobalMaxPooling2D: emitGlobalPooling2d,
  Flatten: emitFlatten,
  Reshape: emitReshape,
  Add: emitMerge,
  Multiply: emitMerge,
  Subtract: emitMerge,
  Average: emitMerge,
  Maximum: emitMerge,
  Minimum: emitMerge,
  Concatenate: emitConcatenate,
  ChannelSlice: emitChannelSlice,
  UpSampling2D: emitUpSampling,
  BilinearUpSampling2D: emitUpSampling,
};

/** The emitter of a Keras class, or undefined. */
export function findEmitter(className: string): OnnxEmitter | undefined {
  return Object.prototype.hasOwnProperty.call(ONNX_EMITTERS, className) ? ONNX_EMITTERS[className] : undefined;
}
