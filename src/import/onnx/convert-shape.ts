// ONNX pools, reductions, Flatten, Reshape, Pad and pass-through ops (Dropout, Identity, Cast) as Keras layers.
import { fail } from '../../core/errors.ts';
import { readIntAttr, readIntsAttr, readStringAttr } from './onnx-file.ts';
import { readFloats, readNumbers } from './onnx-tensor.ts';
import { BATCH, derive, inputValue, optionalConstInput, type ImportContext, type KerasValue, type OnnxNode } from './import-context.ts';
import { planWindow } from './window.ts';

/** Dropout, Identity, Cast to float: the value passes through (no layer). */
export function convertPassThrough(ctx: ImportContext, node: OnnxNode): KerasValue {
  if (node.opType === 'Cast' && readIntAttr(node, 'to', 1) !== 1) {
    fail('UNSUPPORTED_OP', { expected: 'Cast to float32 of a computed tensor', found: `Cast to element type ${readIntAttr(node, 'to', 1)}`, where: ctx.where(node), hint: 'edge-prune imports float32 computation only' });
  }
  return inputValue(ctx, node);
}

/** MaxPool / AveragePool; padding that Keras 'same' does not reproduce becomes an explicit ZeroPadding2D where exact. */
export function convertPool(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = ctx.image(inputValue(ctx, node), node);
  const kernel = readIntsAttr(node, 'kernel_shape') ?? [];
  if (kernel.length !== 2) fail('UNSUPPORTED_OP', { expected: 'a 2-D pooling window', found: `kernel_shape [${kernel.join(', ')}]`, where: ctx.where(node), hint: 'only 2-D pooling over images is imported' });
  const isMax = node.opType === 'MaxPool';
  const plan = planWindow(ctx, node, x.shape, kernel as [number, number], { ceilByPadding: isMax });
  if (plan.dilations.some((d) => d !== 1)) fail('UNSUPPORTED_OP', { expected: 'pooling without dilation', found: `dilations [${plan.dilations.join(', ')}]`, where: ctx.where(node), hint: 'dilated pooling is not imported' });
  const includePad = readIntAttr(node, 'count_include_pad', 0) === 1;
  let input = x;
  let padding = plan.padding;
  if (plan.zeroPad || (padding === 'same' && !isMax && includePad)) {
    // Zeros equal -∞ padding for a max pool over non-negative values, and count_include_pad=1 averages.
    if (isMax ? !x.nonNegative : !includePad) {
      fail('UNSUPPORTED_OP', { expected: isMax ? 'MaxPool padding that Keras "same" reproduces, or a non-negative input' : 'AveragePool padding that Keras "same" reproduces, or count_include_pad 1', found: `pads ${JSON.stringify(readIntsAttr(node, 'pads'))}`, where: ctx.where(node), hint: 'export with padding that matches TensorFlow "same" (extra pixel at the end)' });
    }
    input = derive(x, ctx.layer(node, 'ZeroPadding2D', { padding: plan.pads, data_format: 'channels_last' }, [x], [], 'pad'), x.nonNegative);
    padding = 'valid';
  }
  const config = { pool_size: plan.kernel, strides: plan.strides, padding, data_format: 'channels_last' };
  return derive(input, ctx.layer(node, isMax ? 'MaxPooling2D' : 'AveragePooling2D', config, [input]), x.nonNegative);
}

/** A global average (or max) over H and W; `keep` → ONNX [N, C, 1, 1] (a squeezed Keras vector). */
function globalPool(ctx: ImportContext, node: OnnxNode, className: string, keep: boolean): KerasValue {
  const x = ctx.image(inputValue(ctx, node), node);
  const layer = ctx.layer(node, className, { data_format: 'channels_last' }, [x]);
  const out: KerasValue = { layer, shape: layer.outputShape };
  if (keep) out.squeezed = true;
  if (x.nonNegative) out.nonNegative = true;
  return out;
}

/** GlobalAveragePool / GlobalMaxPool → GlobalAverage/MaxPooling2D. */
export function convertGlobalPool(ctx: ImportContext, node: OnnxNode): KerasValue {
  return globalPool(ctx, node, node.opType === 'GlobalMaxPool' ? 'GlobalMaxPooling2D' : 'GlobalAveragePooling2D', true);
}

/** ReduceMean / ReduceMax over H and W (axes as an attribute, or an input from opset 18). */
export function convertReduce(ctx: ImportContext, node: OnnxNode): KerasValue {
  const fromInput = optionalConstInput(ctx, node, 1, 'the reduction axes');
  const axes = (fromInput ? readNumbers(fromInput, ctx.where(node)) : readIntsAttr(node, 'axes') ?? []).map((a) => (a < 0 ? a + 4 : a)).sort();
  if (axes.join(',') !== '2,3') fail('UNSUPPORTED_OP', { expected: 'a reduction over H and W (axes [2, 3])', found: `axes [${axes.join(', ')}]`, where: ctx.where(node), hint: 'only global pooling written as a reduction is imported' });
  return globalPool(ctx, node, node.opType === 'ReduceMax' ? 'GlobalMaxPooling2D' : 'GlobalAveragePooling2D', readIntAttr(node, 'keepdims', 1) === 1);
}

/** Flatten to [N, features]: a squeezed vector as is; an image through Keras Flatten (ONNX C·H·W order recorded). */
function flattenValue(ctx: ImportContext, node: OnnxNode, x: KerasValue): KerasValue {
  if (x.shape.length === 1) return { layer: x.layer, shape: x.shape, ...(x.flatFrom ? { flatFrom: x.flatFrom } : {}), ...(x.nonNegative ? { nonNegative: true } : {}) };
  const layer = ctx.layer(node, 'Flatten', { data_format: 'channels_last' }, [x]);
  const [h, w, c] = x.shape as [number, number, number];
  const out: KerasValue = { layer, shape: layer.outputShape };
  if (h * w > 1 && c > 1) out.flatFrom = [h, w, c];
  if (x.nonNegative) out.nonNegative = true;
  return out;
}

/** Flatten with axis 1. */
export function convertFlatten(ctx: ImportContext, node: OnnxNode): KerasValue {
  const axis = readIntAttr(node, 'axis', 1);
  if (axis !== 1) fail('UNSUPPORTED_OP', { expected: 'Flatten with axis 1 (keep the batch axis)', found: `axis ${axis}`, where: ctx.where(node), hint: 'only flattening each sample is imported' });
  return flattenValue(ctx, node, inputValue(ctx, node));
}

/** Reshape to [N, -1] (or [N, C·H·W], [-1, C·H·W], [0, -1]); the target may come from a Shape/Gather/Concat chain. */
export function convertReshape(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = inputValue(ctx, node);
  const shape = optionalConstInput(ctx, node, 1, 'the Reshape target shape');
  const target = shape ? Array.from(shape.data as ArrayLike<number | string>) : [];
  const features = x.shape.reduce((a, b) => a * b, 1);
  const [n, f] = target;
  const batchOk = n === BATCH || n === 0 || n === -1;
  const featuresOk = f === -1 || f === features || (n === -1 && f === features);
  if (target.length !== 2 || !batchOk || !featuresOk || (n === -1 && f === -1)) {
    fail('UNSUPPORTED_OP', { expected: 'a Reshape to [batch, -1] (a flatten)', found: `target [${target.join(', ')}] for ${features} features per sample`, where: ctx.where(node), hint: 'only flattening reshapes are imported; reshapes that mix channels cannot be pruned' });
  }
  return flattenValue(ctx, node, x);
}

/** Pad with zeros on H and W → ZeroPadding2D (pads as an attribute before opset 11, as an input after). */
export function convertPad(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = inputValue(ctx, node);
  const mode = readStringAttr(node, 'mode', 'constant');
  const padsConst = ctx.opset < 11 ? undefined : optionalConstInput(ctx, node, 1, 'the Pad pads');
  let pads = padsConst ? readNumbers(padsConst, ctx.where(node)) : (readIntsAttr(node, 'pads') ?? readIntsAttr(node, 'paddings') ?? []);
  const axesConst = ctx.opset < 18 ? undefined : optionalConstInput(ctx, node, 3, 'the Pad axes');
  if (axesConst) {
    // Opset 18: pads name only the listed axes; spread them over all four.
    const axes = readNumbers(axesConst, ctx.where(node)).map((a) => (a < 0 ? a + 4 : a));
    const full = new Array<number>(8).fill(0);
    axes.forEach((a, i) => { full[a] = pads[i] ?? 0; full[a + 4] = pads[i + axes.length] ?? 0; });
    pads = axes.every((a) => a >= 0 && a < 4) && pads.length === 2 * axes.length ? full : [-1];
  }
  const valueConst = ctx.opset < 11 ? undefined : optionalConstInput(ctx, node, 2, 'the Pad value');
  const value = valueConst ? (readFloats(valueConst, ctx.where(node))[0] ?? 0) : ctx.opset < 11 ? (node.attribute?.find((a) => a.name === 'value')?.f ?? 0) : 0;
  if (pads.every((p) => p === 0)) return x;
  const image = pads.length === 8 && pads[0] === 0 && pads[1] === 0 && pads[4] === 0 && pads[5] === 0 && pads.every((p) => p >= 0);
  if (mode !== 'constant' || value !== 0 || !image || x.shape.length !== 3) {
    fail('UNSUPPORTED_OP', { expected: 'zero padding of H and W (mode constant, value 0)', found: `mode ${mode}, value ${value}, pads [${pads.join(', ')}]`, where: ctx.where(node), hint: 'reflect/edge padding and channel padding are not imported' });
  }
  const [, , top, left, , , bottom, right] = pads as number[];
  return derive(x, ctx.layer(node, 'ZeroPadding2D', { padding: [[top, bottom], [left, right]], data_format: 'channels_last' }, [x]), x.nonNegative);
}
