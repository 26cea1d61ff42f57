// Convolution and MatMul ops (plain and TF.js-fused with BiasAdd + activation) as Keras Conv2D, DepthwiseConv2D and Dense layers.
import type { JsonObject } from '../../core/types.ts';
import type { LayerRecord } from '../keras-builder.ts';
import { readBoolAttr, readFloatAttr, readIntList, readStringAttr, readStringList, requireNhwc, unsupported } from './attrs.ts';
import { addPrelu, applyActivation } from './convert-activation.ts';
import { channelsOf, perChannel, type ConvertContext, type GraphValue } from './convert-context.ts';

/** TF.js fused activation names (lower case in fused_ops) to the TF op they stand for. */
const FUSED_ACTIVATION: Readonly<Record<string, string>> = { relu: 'Relu', relu6: 'Relu6', elu: 'Elu', sigmoid: 'Sigmoid', tanh: 'Tanh', leakyrelu: 'LeakyRelu', prelu: 'Prelu' };

/** strides/padding/dilations of a window op as Keras config; explicit paddings become a ZeroPadding2D first. */
export function readWindow(ctx: ConvertContext, x: LayerRecord, dilations: boolean): { config: JsonObject; input: LayerRecord } {
  const { node } = ctx;
  requireNhwc(node);
  const [sb, sh, sw, sc] = readIntList(node, 'strides', [1, 1, 1, 1]);
  if (sb !== 1 || sc !== 1 || sh === undefined || sw === undefined) unsupported(node, 'strides [1, sh, sw, 1]', `strides ${JSON.stringify(readIntList(node, 'strides'))}`);
  const [db, dh, dw, dc] = dilations ? readIntList(node, 'dilations', [1, 1, 1, 1]) : [1, 1, 1, 1];
  if (db !== 1 || dc !== 1) unsupported(node, 'dilations [1, dh, dw, 1]', `dilations ${JSON.stringify(readIntList(node, 'dilations'))}`);
  const padding = readStringAttr(node, 'padding', 'VALID');
  let input = x;
  if (padding === 'EXPLICIT') {
    const p = readIntList(node, 'explicit_paddings');
    if (p.length !== 8 || p[0] || p[1] || p[6] || p[7]) unsupported(node, 'explicit paddings on H and W only', JSON.stringify(p));
    input = ctx.add('ZeroPadding2D', { padding: [[p[2], p[3]], [p[4], p[5]]] }, [x]);
  } else if (padding !== 'SAME' && padding !== 'VALID') unsupported(node, 'padding SAME, VALID or EXPLICIT', padding);
  const config: JsonObject = { strides: [sh, sw], padding: padding === 'SAME' ? 'same' : 'valid', data_format: 'channels_last' };
  if (dilations) config['dilation_rate'] = [dh, dw];
  return { config, input };
}

/** The extra ops of a fused node: BiasAdd (or nothing) then at most one activation. */
function readFusedOps(ctx: ConvertContext): { bias: boolean; activation?: string } {
  const ops = readStringList(ctx.node, 'fused_ops').map((s) => s.toLowerCase());
  const [first, second, ...rest] = ops;
  if (first === 'fusedbatchnorm') unsupported(ctx.node, 'fused_ops BiasAdd[, activation]', 'FusedBatchNorm fused into the op (tfjs cannot run it either)');
  const bias = first === 'biasadd';
  const act = bias ? second : first;
  if (rest.length > 0 || (act !== undefined && !FUSED_ACTIVATION[act]) || (!bias && first !== undefined && second !== undefined)) {
    unsupported(ctx.node, `fused_ops BiasAdd followed by one of ${Object.keys(FUSED_ACTIVATION).join(', ')}`, JSON.stringify(ops));
  }
  return act === undefined ? { bias } : { bias, activation: FUSED_ACTIVATION[act] as string };
}

/** Apply a fused node's BiasAdd and activation to the layer just built (arguments start at input 2). */
function finishFused(ctx: ConvertContext, record: LayerRecord): GraphValue {
  const { bias, activation } = readFusedOps(ctx);
  const c = channelsOf(record);
  let arg = 2;
  if (bias) {
    record.weights.push({ slot: 'bias', shape: [c], data: perChannel(ctx, ctx.constInput(arg++), c) });
    record.config['use_bias'] = true;
  }
  if (activation === undefined) return { kind: 'layer', record };
  if (activation === 'Prelu') return { kind: 'layer', record: addPrelu(ctx, record, perChannel(ctx, ctx.constInput(arg), c)) };
  const alpha = activation === 'LeakyRelu' ? readFloatAttr(ctx.node, 'leakyrelu_alpha', 0.2) : undefined;
  if (activation !== 'LeakyRelu') {
    record.config['activation'] = { Relu: 'relu', Relu6: 'relu6', Elu: 'elu', Sigmoid: 'sigmoid', Tanh: 'tanh' }[activation] as string;
    return { kind: 'layer', record };
  }
  return { kind: 'layer', record: applyActivation(ctx, activation, record, alpha) };
}

/** Conv2D / _FusedConv2D with a constant HWIO filter. */
export function convertConv2d(ctx: ConvertContext): GraphValue {
  const kernel = ctx.constInput(1);
  const [kh, kw, cin, cout] = kernel.shape;
  if (kernel.shape.length !== 4 || cout === undefined) unsupported(ctx.node, 'a 4-D filter [kh, kw, in, out]', `shape [${kernel.shape.join(', ')}]`);
  const { config, input } = readWindow(ctx, ctx.layerInput(0), true);
  if (channelsOf(input) !== cin) unsupported(ctx.node, `a filter reading all ${channelsOf(input)} input channels (groups 1)`, `${cin} filter input channels`);
  const record = ctx.add('Conv2D', { filters: cout, kernel_size: [kh, kw], ...config, activation: 'linear', use_bias: false }, [input], [{ slot: 'kernel', shape: [...kernel.shape], data: kernel.data }]);
  return ctx.node.op === '_FusedConv2D' ? finishFused(ctx, record) : { kind: 'layer', record };
}

/** DepthwiseConv2dNative / FusedDepthwiseConv2dNative with a constant [kh, kw, C, multiplier] filter. */
export function convertDepthwise(ctx: ConvertContext): GraphValue {
  const kernel = ctx.constInput(1);
  const [kh, kw, , m] = kernel.shape;
  if (kernel.shape.length !== 4 || m === undefined) unsupported(ctx.node, 'a 4-D filter [kh, kw, C, multiplier]', `shape [${kernel.shape.join(', ')}]`);
  const { config, input } = readWindow(ctx, ctx.layerInput(0), true);
  const record = ctx.add('DepthwiseConv2D', { kernel_size: [kh, kw], depth_multiplier: m, ...config, activation: 'linear', use_bias: false }, [input], [
    { slot: 'depthwise_kernel', shape: [...kernel.shape], data: kernel.data },
  ]);
  return ctx.node.op === 'FusedDepthwiseConv2dNative' ? finishFused(ctx, record) : { kind: 'layer', record };
}

/** MatMul / _FusedMatMul of a [batch, features] value by a constant matrix: Dense. */
export function convertMatMul(ctx: ConvertContext): GraphValue {
  const { node } = ctx;
  if (readBoolAttr(node, 'transpose_a', false)) unsupported(node, 'transpose_a false', 'transpose_a true');
  const x = ctx.layerInput(0);
  const w = ctx.constInput(1);
  if (x.outputShape.length !== 1 || w.shape.length !== 2) {
    unsupported(node, 'a [batch, features] input times a constant matrix', `input [${x.outputShape.join(', ')}], matrix [${w.shape.join(', ')}]`, 'flatten or squeeze the features first (Reshape/Squeeze before MatMul)');
  }
  const transpose = readBoolAttr(node, 'transpose_b', false);
  const [rows, cols] = w.shape as [number, number];
  const [features, units] = transpose ? [cols, rows] : [rows, cols];
  if (features !== channelsOf(x)) unsupported(node, `a matrix with ${channelsOf(x)} rows`, `[${w.shape.join(', ')}]${transpose ? ' (transposed)' : ''}`);
  let data = w.data;
  if (transpose) {
    data = new Float32Array(w.data.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[c * rows + r] = w.data[r * cols + c] as number;
  }
  const record = ctx.add('Dense', { units, activation: 'linear', use_bias: false }, [x], [{ slot: 'kernel', shape: [features, units], data }]);
  return node.op === '_FusedMatMul' ? finishFused(ctx, record) : { kind: 'layer', record };
}
