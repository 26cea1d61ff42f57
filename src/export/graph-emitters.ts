// GRAPH_EMITTERS: TF.js graph-model (GraphDef) ops for each Keras layer kind, keyed by Keras class name.
import { fail } from '../core/errors.ts';
import { readActivation, readChoice, readInt, readPair } from '../layers/config.ts';
import { computeBatchNormAffine } from './fold-bn.ts';
import {
  emitTfActivation, emitTfEluLayer, emitTfHardSigmoidLayer, emitTfHardSwishLayer, emitTfLeakyReluLayer, emitTfPreluLayer, emitTfReluLayer,
} from './graph-activation.ts';
import { emitTfChannelSlice, emitTfUpSampling } from './dense-emitters.ts';
import { attr, addFloatScalar, addInt32Const, type TfAttr, type TfEmitContext } from './graph-context.ts';

/** Writes the ops of one layer; returns its output tensor's name. */
export type GraphEmitter = (ctx: TfEmitContext) => string;

/** strides / padding / dilations / data_format attributes of a 2-D window op. */
function buildWindowAttrs(ctx: TfEmitContext, dilation: boolean): Record<string, TfAttr> {
  const { config, name } = ctx.node;
  readChoice(config, 'data_format', name, ['channels_last'], 'channels_last');
  const [sh, sw] = readPair(config, 'strides', name, 1);
  const padding = readChoice(config, 'padding', name, ['same', 'valid'], 'valid');
  const attrs: Record<string, TfAttr> = { T: attr.float(), data_format: attr.str('NHWC'), padding: attr.str(padding.toUpperCase()), strides: attr.ints([1, sh, sw, 1]) };
  if (dilation) {
    const [dh, dw] = readPair(config, 'dilation_rate', name, 1);
    attrs['dilations'] = attr.ints([1, dh, dw, 1]);
  }
  return attrs;
}

/** BiasAdd (when the layer has a bias) then the config's activation. */
function finish(ctx: TfEmitContext, y: string, hasMore: boolean): string {
  const bias = ctx.weight('bias');
  const activation = readActivation(ctx.node.config);
  const last = activation === 'linear' && !hasMore;
  let out = y;
  if (bias) out = ctx.op('BiasAdd', [out, ctx.constant('bias', [...bias.shape], bias.data)], { T: attr.float(), data_format: attr.str('NHWC') }, last ? undefined : 'BiasAdd');
  return emitTfActivation(ctx, out, activation);
}

/** Conv2D (groups 1). */
function emitConv2d(ctx: TfEmitContext): string {
  if (readInt(ctx.node.config, 'groups', ctx.node.name, 1) !== 1) {
    fail('UNSUPPORTED_LAYER', { expected: 'Conv2D with groups 1', found: `groups ${String(ctx.node.config['groups'])}`, where: `layer "${ctx.node.name}" (Conv2D)`, hint: 'TF.js graph models have no grouped convolution; export ONNX instead' });
  }
  const kernel = ctx.requireWeight('kernel');
  const y = ctx.op('Conv2D', [ctx.inputs[0] as string, ctx.constant('kernel', [...kernel.shape], kernel.data)], buildWindowAttrs(ctx, true), 'Conv2D');
  return finish(ctx, y, false);
}

/** DepthwiseConv2D. */
function emitDepthwiseConv2d(ctx: TfEmitContext): string {
  const kernel = ctx.requireWeight('depthwise_kernel');
  const y = ctx.op('DepthwiseConv2dNative', [ctx.inputs[0] as string, ctx.constant('depthwise_kernel', [...kernel.shape], kernel.data)], buildWindowAttrs(ctx, true), 'depthwise');
  return finish(ctx, y, false);
}

/** SeparableConv2D: depthwise then a 1×1 Conv2D. */
function emitSeparableConv2d(ctx: TfEmitContext): string {
  const dw = ctx.requireWeight('depthwise_kernel');
  const pw = ctx.requireWeight('pointwise_kernel');
  const mid = ctx.op('DepthwiseConv2dNative', [ctx.inputs[0] as string, ctx.constant('depthwise_kernel', [...dw.shape], dw.data)], buildWindowAttrs(ctx, true), 'depthwise');
  const pointAttrs = { T: attr.float(), data_format: attr.str('NHWC'), dilations: attr.ints([1, 1, 1, 1]), padding: attr.str('VALID'), strides: attr.ints([1, 1, 1, 1]) };
  const y = ctx.op('Conv2D', [mid, ctx.constant('pointwise_kernel', [...pw.shape], pw.data)], pointAttrs, 'pointwise');
  return finish(ctx, y, false);
}

/** Dense: MatMul on [batch, features]; higher-rank inputs are reshaped to 2-D and back. */
function emitDense(ctx: TfEmitContext): string {
  const kernel = ctx.requireWeight('kernel');
  const shape = ctx.inputShapes[0] as number[];
  const [features, units] = kernel.shape as [number, number];
  let x = ctx.inputs[0] as string;
  if (shape.length > 1) x = ctx.op('Reshape', [x, addInt32Const(ctx.state, [-1, features])], {}, 'flat');
  const mm = { T: attr.float(), transpose_a: attr.bool(false), transpose_b: attr.bool(false) };
  const y = ctx.op('MatMul', [x, ctx.constant('kernel', [features, units], kernel.data)], mm, 'MatMul');
  if (shape.length <= 1) return finish(ctx, y, false);
  const z = finish(ctx, y, true);
  return ctx.op('Reshape', [z, addInt32Const(ctx.state, [-1, ...ctx.node.outputShape])]);
}

/** BatchNormalization that could not be folded: x·scale + shift. */
function emitBatchNorm(ctx: TfEmitContext): string {
  const { scale, shift } = computeBatchNormAffine(ctx.node, (role) => ctx.weight(role)?.data);
  const y = ctx.op('Mul', [ctx.inputs[0] as string, ctx.constant('scale', [scale.length], scale)], { T: attr.float() }, 'scale');
  return ctx.op('AddV2', [y, ctx.constant('shift', [shift.length], shift)], { T: attr.float() });
}

/** Max/AveragePooling2D (TF 'SAME' averages exclude the padding, as Keras does). */
function emitPooling(ctx: TfEmitContext): string {
  const { config, name, className } = ctx.node;
  const [ph, pw] = readPair(config, 'pool_size', name, 2);
  const strides = config['strides'] == null ? [ph, pw] : readPair(config, 'strides', name);
  const attrs = { ...buildWindowAttrs(ctx, false), ksize: attr.ints([1, ph, pw, 1]), strides: attr.ints([1, strides[0] as number, strides[1] as number, 1]) };
  return ctx.op(className === 'MaxPooling2D' ? 'MaxPool' : 'AvgPool', [ctx.inputs[0] as string], attrs);
}

/** GlobalAverage/GlobalMaxPooling2D: Mean/Max over axes 1 and 2. */
function emitGlobalPooling(ctx: TfEmitContext): string {
  const op = ctx.node.className === 'GlobalMaxPooling2D' ? 'Max' : 'Mean';
  return ctx.op(op, [ctx.inputs[0] as string, addInt32Const(ctx.state, [1, 2])], { T: attr.float(), Tidx: { type: 'DT_INT32' }, keep_dims: attr.bool(ctx.node.config['keepdims'] === true) });
}

/** ZeroPadding2D: Pad with a [4, 2] paddings constant. */
function emitZeroPadding(ctx: TfEmitContext): string {
  const [h, w] = ctx.inputShapes[0] as number[];
  const [oh, ow] = ctx.node.outputShape;
  const raw = ctx.node.config['padding'];
  const pairs = Array.isArray(raw) && Array.isArray(raw[0]) ? (raw as number[][]) : undefined;
  const top = pairs ? (pairs[0]?.[0] as number) : ((oh as number) - (h as number)) / 2;
  const left = pairs ? (pairs[1]?.[0] as number) : ((ow as number) - (w as number)) / 2;
  const paddings = [0, 0, top, (oh as number) - (h as number) - top, left, (ow as number) - (w as number) - left, 0, 0];
  return ctx.op('Pad', [ctx.inputs[0] as string, addInt32Const(ctx.state, paddings, [4, 2])], { T: attr.float(), Tpaddings: { type: 'DT_INT32' } });
}

/** Flatten / Reshape: Reshape to [-1, ...outputShape]. */
function emitReshape(ctx: TfEmitContext): string {
  return ctx.op('Reshape', [ctx.inputs[0] as string, addInt32Const(ctx.state, [-1, ...ctx.node.outputShape])], { T: attr.float(), Tshape: { type: 'DT_INT32' } });
}

/** Add / Multiply / Subtract / Average / Maximum / Minimum. */
function emitMerge(ctx: TfEmitContext): string {
  const { className } = ctx.node;
  const xs = ctx.inputs;
  if (className === 'Add' && xs.length > 2) return ctx.op('AddN', xs, { N: attr.int(xs.length), T: attr.float() });
  if (className === 'Average') {
    const sum = ctx.op('AddN', xs, { N: attr.int(xs.length), T: attr.float() }, 'sum');
    return ctx.op('Mul', [sum, addFloatScalar(ctx.state, 1 / xs.length)], { T: attr.float() });
  }
  const op = { Add: 'AddV2', Multiply: 'Mul', Subtract: 'Sub', Maximum: 'Maximum', Minimum: 'Minimum' }[className] as string;
  return xs.slice(1).reduce((acc, x, i) => ctx.op(op, [acc, x], { T: attr.float() }, i === xs.length - 2 ? undefined : `${op}_${i + 1}`), xs[0] as string);
}

/** Concatenate along its axis (negative axes count from the end). */
function emitConcat(ctx: TfEmitContext): string {
  const rank = ctx.node.outputShape.length + 1;
  const raw = typeof ctx.node.config['axis'] === 'number' ? ctx.node.config['axis'] : -1;
  const axis = raw < 0 ? raw + rank : raw;
  return ctx.op('ConcatV2', [...ctx.inputs, addInt32Const(ctx.state, [axis], [])], { N: attr.int(ctx.inputs.length), T: attr.float(), Tidx: { type: 'DT_INT32' } });
}

/** Softmax layer: TF's Softmax works on the last axis only. */
function emitSoftmax(ctx: TfEmitContext): string {
  const raw = ctx.node.config['axis'];
  const axis = Array.isArray(raw) ? raw[0] : (raw ?? -1);
  const rank = ctx.node.outputShape.length + 1;
  if (axis !== -1 && axis !== rank - 1) {
    fail('UNSUPPORTED_LAYER', { expected: 'Softmax over the last axis', found: `axis ${JSON.stringify(raw)}`, where: `layer "${ctx.node.name}" (Softmax)`, hint: 'export ONNX instead, or softmax over the last axis' });
  }
  return ctx.op('Softmax', [ctx.inputs[0] as string], { T: attr.float() });
}

/** Every layer kind the TF.js graph-model exporter writes (InputLayer becomes a Placeholder). */
export const GRAPH_EMITTERS: Readonly<Record<string, GraphEmitter>> = {
  Conv2D: emitConv2d,
  DepthwiseConv2D: emitDepthwiseConv2d,
  SeparableConv2D: emitSeparableConv2d,
  Dense: emitDense,
  BatchNormalization: emitBatchNorm,
  ReLU: emitTfReluLayer,
  LeakyReLU: emitTfLeakyReluLayer,
  ELU: emitTfEluLayer,
  PReLU: emitTfPreluLayer,
  HardSwish: emitTfHardSwishLayer,
  HardSigmoid: emitTfHardSigmoidLayer,
  Activation: (ctx) => emitTfActivation(ctx, ctx.inputs[0] as string, readActivation(ctx.node.config)),
  Softmax: emitSoftmax,
  Dropout: (ctx) => ctx.inputs[0] as string,
  SpatialDropout2D: (ctx) => ctx.inputs[0] as string,
  ZeroPadding2D: emitZeroPadding,
  MaxPooling2D: emitPooling,
  AveragePooling2D: emitPooling,
  GlobalAveragePooling2D: emitGlobalPooling,
  GlobalMaxPooling2D: emitGlobalPooling,
  Flatten: emitReshape,
  Reshape: emitReshape,
  Add: emitMerge,
  Multiply: emitMerge,
  Subtract: emitMerge,
  Average: emitMerge,
  Maximum: emitMerge,
  Minimum: emitMerge,
  Concatenate: emitConcat,
  ChannelSlice: emitTfChannelSlice,
  UpSampling2D: emitTfUpSampling,
  BilinearUpSampling2D: emitTfUpSampling,
};
