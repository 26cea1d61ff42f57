// ONNX Conv, Gemm, MatMul and BatchNormalization as Keras Conv2D/DepthwiseConv2D, Dense and BatchNormalization.
import { fail } from '../../core/errors.ts';
import { readFloatAttr, readIntAttr } from './onnx-file.ts';
import { readFloats, type ConstTensor } from './onnx-tensor.ts';
import { derive, inputValue, optionalConstInput, requireConstInput, type ImportContext, type KerasValue, type OnnxNode } from './import-context.ts';
import { planWindow } from './window.ts';

/** ONNX conv weight [O, I, kh, kw] → Keras kernel [kh, kw, I, O]. */
export function transposeOihwToHwio(data: Float32Array, dims: readonly number[]): Float32Array {
  const [o, i, kh, kw] = dims as [number, number, number, number];
  const out = new Float32Array(data.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) out[((y * kw + x) * i + b) * o + a] = data[((a * i + b) * kh + y) * kw + x] as number;
  return out;
}

/** Dense kernel rows from a Flatten of NCHW (c·H·W + p) to Keras's Flatten of NHWC (p·C + c). */
export function reorderRowsChwToHwc(data: Float32Array, units: number, from: readonly number[]): Float32Array {
  const [h, w, c] = from as [number, number, number];
  const out = new Float32Array(data.length);
  for (let ch = 0; ch < c; ch++)
    for (let p = 0; p < h * w; p++) out.set(data.subarray((ch * h * w + p) * units, (ch * h * w + p + 1) * units), (p * c + ch) * units);
  return out;
}

/** A bias vector of `n` values from a constant that broadcasts to [n] (scalar, [n] or [1, n]). */
function readBias(ctx: ImportContext, node: OnnxNode, c: ConstTensor, n: number, scale = 1): Float32Array {
  const values = readFloats(c, ctx.where(node));
  if (values.length === n) return values.map((v) => v * scale);
  if (values.length === 1) return new Float32Array(n).fill((values[0] as number) * scale);
  return fail('WEIGHTS_MISMATCH', { expected: `a bias of ${n} values`, found: `dims [${c.dims.join(', ')}]`, where: ctx.where(node), hint: 'the bias does not match the layer; the file is corrupt' });
}

/** Conv (dense or depthwise, 2-D) with an optional bias; `extraBias` comes from a following Add. */
export function convertConv(ctx: ImportContext, node: OnnxNode, extraBias?: ConstTensor): KerasValue {
  const x = ctx.image(inputValue(ctx, node), node);
  const w = requireConstInput(ctx, node, 1, 'the Conv weight');
  if (w.dims.length !== 4) fail('UNSUPPORTED_OP', { expected: 'a 2-D convolution (weight [O, I, kh, kw])', found: `weight dims [${w.dims.join(', ')}]`, where: ctx.where(node), hint: 'Conv1d/Conv3d are not imported' });
  const [cout, cinPerGroup, kh, kw] = w.dims as [number, number, number, number];
  const cin = x.shape[2] as number;
  const group = readIntAttr(node, 'group', 1);
  const depthwise = group > 1 && group === cin && cout === cin && cinPerGroup === 1;
  if (group > 1 && !depthwise) {
    fail('UNSUPPORTED_OP', { expected: 'a dense Conv (group 1) or a depthwise Conv (group = channels, one filter each)', found: `group ${group} with ${cin} input and ${cout} output channels`, where: ctx.where(node), hint: 'grouped convolutions are not supported yet; export the model with group=1 or depthwise convolutions' });
  }
  if (!depthwise && cinPerGroup !== cin) fail('WEIGHTS_MISMATCH', { expected: `a weight reading ${cin} input channels`, found: `dims [${w.dims.join(', ')}]`, where: ctx.where(node), hint: 'the weight does not match the input; the file is corrupt' });
  const plan = planWindow(ctx, node, x.shape, [kh, kw]);
  let input = x;
  if (plan.zeroPad) input = derive(x, ctx.layer(node, 'ZeroPadding2D', { padding: plan.zeroPad, data_format: 'channels_last' }, [x], [], 'pad'), x.nonNegative);
  const b = optionalConstInput(ctx, node, 2, 'the Conv bias');
  let bias = b ? readBias(ctx, node, b, cout) : undefined;
  if (extraBias) {
    const more = readBias(ctx, node, extraBias, cout);
    bias = bias ? bias.map((v, i) => v + (more[i] as number)) : more;
  }
  const kernel = readFloats(w, ctx.where(node));
  const common = { kernel_size: [kh, kw], strides: plan.strides, padding: plan.padding, data_format: 'channels_last', dilation_rate: plan.dilations, activation: 'linear', use_bias: bias !== undefined };
  const weights = depthwise
    ? [{ slot: 'depthwise_kernel', shape: [kh, kw, cin, 1], data: transposeOihwToHwio(kernel, [1, cin, kh, kw]) }]
    : [{ slot: 'kernel', shape: [kh, kw, cin, cout], data: transposeOihwToHwio(kernel, w.dims) }];
  if (bias) weights.push({ slot: 'bias', shape: [cout], data: bias });
  const layer = depthwise
    ? ctx.layer(node, 'DepthwiseConv2D', { ...common, depth_multiplier: 1 }, [input], weights)
    : ctx.layer(node, 'Conv2D', { ...common, filters: cout }, [input], weights);
  return { layer, shape: layer.outputShape };
}

/** The Keras vector behind a value that ONNX sees as [N, F] (squeezed [N, C, 1, 1] counts as [N, C]). */
function requireVector(ctx: ImportContext, node: OnnxNode, v: KerasValue): void {
  if (v.shape.length !== 1) fail('UNSUPPORTED_OP', { expected: 'a [batch, features] input', found: `an input of Keras shape [${v.shape.join(', ')}]`, where: ctx.where(node), hint: 'flatten the feature map before Gemm/MatMul' });
}

/** A Dense layer from a [K, N] kernel (rows in ONNX order) and an optional bias. */
function addDense(ctx: ImportContext, node: OnnxNode, x: KerasValue, kernel: Float32Array, k: number, n: number, bias?: Float32Array): KerasValue {
  requireVector(ctx, node, x);
  if (x.shape[0] !== k) fail('WEIGHTS_MISMATCH', { expected: `a weight with ${x.shape[0]} input rows`, found: `${k}`, where: ctx.where(node), hint: 'the weight does not match the input; the file is corrupt' });
  const rows = x.flatFrom ? reorderRowsChwToHwc(kernel, n, x.flatFrom) : kernel;
  const weights = [{ slot: 'kernel', shape: [k, n], data: rows }];
  if (bias) weights.push({ slot: 'bias', shape: [n], data: bias });
  const layer = ctx.layer(node, 'Dense', { units: n, activation: 'linear', use_bias: bias !== undefined }, [x], weights);
  return { layer, shape: layer.outputShape };
}

/** Gemm: Y = alpha·A·B' + beta·C with transA 0; B and C constants. */
export function convertGemm(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = inputValue(ctx, node);
  if (readIntAttr(node, 'transA', 0) !== 0) fail('UNSUPPORTED_OP', { expected: 'Gemm with transA 0', found: 'transA 1', where: ctx.where(node), hint: 'only Gemm on a [batch, features] input is imported' });
  const b = requireConstInput(ctx, node, 1, 'the Gemm weight');
  if (b.dims.length !== 2) fail('INVALID_MODEL', { expected: 'a 2-D Gemm weight', found: `dims [${b.dims.join(', ')}]`, where: ctx.where(node), hint: 'the file is corrupt' });
  const transB = readIntAttr(node, 'transB', 0) === 1;
  const alpha = readFloatAttr(node, 'alpha', 1);
  const beta = readFloatAttr(node, 'beta', 1);
  const values = readFloats(b, ctx.where(node));
  const [k, n] = (transB ? [b.dims[1], b.dims[0]] : b.dims) as [number, number];
  const kernel = new Float32Array(k * n);
  for (let r = 0; r < k; r++) for (let c = 0; c < n; c++) kernel[r * n + c] = alpha * (values[transB ? c * k + r : r * n + c] as number);
  const c = optionalConstInput(ctx, node, 2, 'the Gemm bias');
  return addDense(ctx, node, x, kernel, k, n, c ? readBias(ctx, node, c, n, beta) : undefined);
}

/** MatMul by a constant [K, N] matrix, with the bias of a following Add when given. */
export function convertMatMul(ctx: ImportContext, node: OnnxNode, bias?: ConstTensor): KerasValue {
  const x = inputValue(ctx, node);
  const b = requireConstInput(ctx, node, 1, 'the MatMul weight');
  if (b.dims.length !== 2) fail('UNSUPPORTED_OP', { expected: 'MatMul by a 2-D constant', found: `dims [${b.dims.join(', ')}]`, where: ctx.where(node), hint: 'only linear layers written as MatMul are imported' });
  const [k, n] = b.dims as [number, number];
  return addDense(ctx, node, x, readFloats(b, ctx.where(node)), k, n, bias ? readBias(ctx, node, bias, n) : undefined);
}

/** BatchNormalization (inference form) over the channel axis. */
export function convertBatchNorm(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = inputValue(ctx, node);
  if (readIntAttr(node, 'training_mode', 0) !== 0) fail('UNSUPPORTED_OP', { expected: 'BatchNormalization in inference mode', found: 'training_mode 1', where: ctx.where(node), hint: 'export the model in eval mode (model.eval())' });
  const n = x.shape[x.shape.length - 1] as number;
  const slots = ['gamma', 'beta', 'moving_mean', 'moving_variance'];
  const weights = slots.map((slot, i) => {
    const c = requireConstInput(ctx, node, i + 1, `BatchNormalization ${slot}`);
    const data = readFloats(c, ctx.where(node));
    if (data.length !== n) fail('WEIGHTS_MISMATCH', { expected: `${n} values of ${slot}`, found: `${data.length}`, where: ctx.where(node), hint: 'the statistics do not match the channels; the file is corrupt' });
    return { slot, shape: [n], data };
  });
  const config = { axis: -1, momentum: readFloatAttr(node, 'momentum', 0.9), epsilon: readFloatAttr(node, 'epsilon', 1e-5), center: true, scale: true };
  return derive(x, ctx.layer(node, 'BatchNormalization', config, [x], weights));
}
