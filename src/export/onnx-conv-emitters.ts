// ONNX emitters of the weighted layers: Conv2D, DepthwiseConv2D, SeparableConv2D, Dense, BatchNormalization.
import { fail } from '../core/errors.ts';
import type { JsonObject } from '../core/types.ts';
import { readActivation, readChoice, readInt, readPair } from '../layers/config.ts';
import { emitActivation } from './onnx-activation.ts';
import { convertToKeras, convertToNchw, type EmitContext, type OnnxValue } from './onnx-context.ts';
import type { OnnxAttrs } from './onnx-tensors.ts';
import { transposeConvKernel, transposeDepthwiseKernel, reorderFlattenRows, computeSamePads } from './kernels.ts';

/** Conv/pool window attributes (kernel_shape, strides, dilations, explicit pads) for an NCHW input. */
export function buildWindowAttrs(
  config: JsonObject,
  layer: string,
  input: readonly number[],
  kernel: [number, number],
  options: { strideField: string; dilation: boolean },
): OnnxAttrs {
  readChoice(config, 'data_format', layer, ['channels_last'], 'channels_last');
  const strides = config[options.strideField] == null ? kernel : readPair(config, options.strideField, layer);
  const dilation = options.dilation ? readPair(config, 'dilation_rate', layer, 1) : [1, 1];
  const padding = readChoice(config, 'padding', layer, ['same', 'valid'], 'valid');
  const [top, bottom] = padding === 'same' ? computeSamePads(input[0] as number, kernel[0], strides[0], dilation[0] as number) : [0, 0];
  const [left, right] = padding === 'same' ? computeSamePads(input[1] as number, kernel[1], strides[1], dilation[1] as number) : [0, 0];
  const attrs: OnnxAttrs = {
    kernel_shape: { ints: kernel },
    pads: { ints: [top, left, bottom, right] },
    strides: { ints: strides },
  };
  if (options.dilation) attrs['dilations'] = { ints: dilation };
  return attrs;
}

/** Conv2D: any stride, dilation, 'same'/'valid' padding (explicit, possibly asymmetric pads), groups, bias or not. */
export function emitConv2d(ctx: EmitContext): OnnxValue {
  const { node } = ctx;
  const x = convertToNchw(ctx.state, ctx.input(), node.name);
  const kernel = ctx.requireWeight('kernel');
  const size = readPair(node.config, 'kernel_size', node.name);
  const groups = readInt(node.config, 'groups', node.name, 1);
  const attrs = { ...buildWindowAttrs(node.config, node.name, x.shape, size, { strideField: 'strides', dilation: true }), group: { int: groups } };
  const activation = readActivation(node.config);
  const w = transposeConvKernel(kernel.data, kernel.shape);
  const inputs = [x.name, ctx.addWeight('kernel', w.dims, w.values)];
  const bias = ctx.weight('bias');
  if (bias) inputs.push(ctx.addWeight('bias', [bias.data.length], bias.data));
  const conv = ctx.op('Conv', inputs, attrs, activation === 'linear' ? undefined : 'conv');
  return emitActivation(ctx, { name: conv, shape: node.outputShape, layout: 'nchw' }, activation);
}

/** DepthwiseConv2D: a grouped Conv with one group per input channel. */
export function emitDepthwiseConv2d(ctx: EmitContext): OnnxValue {
  const { node } = ctx;
  const x = convertToNchw(ctx.state, ctx.input(), node.name);
  const kernel = ctx.requireWeight('depthwise_kernel');
  const size = readPair(node.config, 'kernel_size', node.name);
  const attrs = { ...buildWindowAttrs(node.config, node.name, x.shape, size, { strideField: 'strides', dilation: true }), group: { int: x.shape[2] as number } };
  const w = transposeDepthwiseKernel(kernel.data, kernel.shape);
  const activation = readActivation(node.config);
  const inputs = [x.name, ctx.addWeight('depthwise_kernel', w.dims, w.values)];
  const bias = ctx.weight('bias');
  if (bias) inputs.push(ctx.addWeight('bias', [bias.data.length], bias.data));
  const conv = ctx.op('Conv', inputs, attrs, activation === 'linear' ? undefined : 'conv');
  return emitActivation(ctx, { name: conv, shape: node.outputShape, layout: 'nchw' }, activation);
}

/** SeparableConv2D: depthwise Conv (no bias) then a 1×1 pointwise Conv with the bias. */
export function emitSeparableConv2d(ctx: EmitContext): OnnxValue {
  const { node } = ctx;
  const x = convertToNchw(ctx.state, ctx.input(), node.name);
  const depthwise = ctx.requireWeight('depthwise_kernel');
  const pointwise = ctx.requireWeight('pointwise_kernel');
  const size = readPair(node.config, 'kernel_size', node.name);
  const attrs = { ...buildWindowAttrs(node.config, node.name, x.shape, size, { strideField: 'strides', dilation: true }), group: { int: x.shape[2] as number } };
  const dw = transposeDepthwiseKernel(depthwise.data, depthwise.shape);
  const mid = ctx.op('Conv', [x.name, ctx.addWeight('depthwise_kernel', dw.dims, dw.values)], attrs, 'depthwise');
  const pw = transposeConvKernel(pointwise.data, pointwise.shape);
  const inputs = [mid, ctx.addWeight('pointwise_kernel', pw.dims, pw.values)];
  const bias = ctx.weight('bias');
  if (bias) inputs.push(ctx.addWeight('bias', [bias.data.length], bias.data));
  const activation = readActivation(node.config);
  const pwAttrs: OnnxAttrs = { dilations: { ints: [1, 1] }, group: { int: 1 }, kernel_shape: { ints: [1, 1] }, pads: { ints: [0, 0, 0, 0] }, strides: { ints: [1, 1] } };
  const conv = ctx.op('Conv', inputs, pwAttrs, activation === 'linear' ? undefined : 'pointwise');
  return emitActivation(ctx, { name: conv, shape: node.outputShape, layout: 'nchw' }, activation);
}

/**
 * Dense: Gemm on a vector. After a Flatten of an NCHW image the kernel rows are rearranged from
 * H·W·C to C·H·W order (no transpose at run time). On higher-rank inputs: MatMul + Add on the last axis.
 */
export function emitDense(ctx: EmitContext): OnnxValue {
  const { node } = ctx;
  const input = ctx.input();
  const kernel = ctx.requireWeight('kernel');
  const bias = ctx.weight('bias');
  const units = kernel.shape[1] as number;
  const activation = readActivation(node.config);
  const suffix = activation === 'linear' ? undefined : 'dense';
  if (input.shape.length === 1) {
    const rows = input.layout === 'flat-chw' ? reorderFlattenRows(kernel.data, units, input.from as number[]) : kernel.data;
    const inputs = [input.name, ctx.addWeight('kernel', [...kernel.shape], rows)];
    if (bias) inputs.push(ctx.addWeight('bias', [units], bias.data));
    const y = ctx.op('Gemm', inputs, {}, suffix);
    return emitActivation(ctx, { name: y, shape: node.outputShape, layout: 'keras' }, activation);
  }
  const x = convertToKeras(ctx.state, input);
  let y = ctx.op('MatMul', [x.name, ctx.addWeight('kernel', [...kernel.shape], kernel.data)], {}, bias || suffix ? 'matmul' : undefined);
  if (bias) y = ctx.op('Add', [y, ctx.addWeight('bias', [units], bias.data)], {}, suffix);
  return emitActivation(ctx, { name: y, shape: node.outputShape, layout: 'keras' }, activation);
}

/** BatchNormalization (inference form) over the channel axis; missing gamma/beta mean 1/0. */
export function emitBatchNormalization(ctx: EmitContext): OnnxValue {
  const { node } = ctx;
  const input = ctx.input();
  const x = input.shape.length === 3 ? convertToNchw(ctx.state, input, node.name) : convertToKeras(ctx.state, input);
  if (x.shape.length !== 1 && x.shape.length !== 3) {
    fail('UNSUPPORTED_LAYER', { expected: 'BatchNormalization on a vector or an image', found: `input shape [${x.shape.join(', ')}]`, where: `layer "${node.name}" (BatchNormalization)`, hint: 'only channel-axis normalization of 2-D or 4-D tensors is exported' });
  }
  const mean = ctx.requireWeight('moving_mean');
  const variance = ctx.requireWeight('moving_variance');
  const n = mean.data.length;
  const gamma = ctx.weight('gamma')?.data ?? new Float32Array(n).fill(1);
  const beta = ctx.weight('beta')?.data ?? new Float32Array(n);
  const epsilon = typeof node.config['epsilon'] === 'number' ? node.config['epsilon'] : 1e-3;
  const inputs = [
    x.name,
    ctx.addWeight('gamma', [n], gamma),
    ctx.addWeight('beta', [n], beta),
    ctx.addWeight('moving_mean', [n], mean.data),
    ctx.addWeight('moving_variance', [n], variance.data),
  ];
  const y = ctx.op('BatchNormalization', inputs, { epsilon: { float: epsilon } });
  return { name: y, shape: node.outputShape, layout: x.layout };
}
