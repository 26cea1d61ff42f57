// ONNX activations (Relu, Clip, LeakyRelu, PRelu, Sigmoid, Tanh, HardSigmoid, HardSwish, Softmax) as Keras layers.
import { fail } from '../../core/errors.ts';
import { readFloatAttr, readIntAttr } from './onnx-file.ts';
import { readFloats } from './onnx-tensor.ts';
import { derive, inputValue, optionalConstInput, requireConstInput, type ImportContext, type KerasValue, type OnnxNode } from './import-context.ts';

/** Relu → ReLU. */
export function convertRelu(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = inputValue(ctx, node);
  return derive(x, ctx.layer(node, 'ReLU', { max_value: null }, [x]), true);
}

/** Clip's bounds: attributes before opset 11, optional constant inputs after. */
export function readClipBounds(ctx: ImportContext, node: OnnxNode): [number, number] {
  if (ctx.opset < 11) return [readFloatAttr(node, 'min', -3.4028234663852886e38), readFloatAttr(node, 'max', 3.4028234663852886e38)];
  const bound = (i: number, fallback: number): number => {
    const c = optionalConstInput(ctx, node, i, i === 1 ? 'the Clip minimum' : 'the Clip maximum');
    return c ? (readFloats(c, ctx.where(node))[0] ?? fallback) : fallback;
  };
  return [bound(1, Number.NEGATIVE_INFINITY), bound(2, Number.POSITIVE_INFINITY)];
}

/**
 * Clip(x, 0, max) → ReLU with max_value (ReLU6 for max 6). PyTorch writes relu6 as Relu then Clip(-∞ or 0, 6):
 * a Clip whose input is a Relu (or otherwise non-negative) needs no minimum. Other bounds are not imported.
 */
export function convertClip(ctx: ImportContext, node: OnnxNode): KerasValue {
  const [lo, hi] = readClipBounds(ctx, node);
  const relu = ctx.producer(node.input?.[0] ?? '');
  const x = relu?.opType === 'Relu' && lo <= 0 ? inputValue(ctx, relu) : inputValue(ctx, node);
  if (lo !== 0 && !(lo < 0 && (relu?.opType === 'Relu' || x.nonNegative))) {
    fail('UNSUPPORTED_OP', { expected: 'Clip with minimum 0 (ReLU, ReLU6)', found: `Clip(${lo}, ${hi})`, where: ctx.where(node), hint: 'only ReLU-style clipping is imported' });
  }
  return derive(x, ctx.layer(node, 'ReLU', { max_value: Number.isFinite(hi) && hi < 3e38 ? hi : null }, [x]), true);
}

/** LeakyRelu → LeakyReLU (ONNX default alpha 0.01). */
export function convertLeakyRelu(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = inputValue(ctx, node);
  return derive(x, ctx.layer(node, 'LeakyReLU', { alpha: readFloatAttr(node, 'alpha', 0.01) }, [x]));
}

/** PRelu with a per-channel (or single) slope on an image → PReLU sharing the slope over H and W. */
export function convertPrelu(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = ctx.image(inputValue(ctx, node), node);
  const c = x.shape[2] as number;
  const slope = readFloats(requireConstInput(ctx, node, 1, 'the PRelu slope'), ctx.where(node));
  if (slope.length !== c && slope.length !== 1) fail('UNSUPPORTED_OP', { expected: `a PRelu slope of 1 or ${c} values (one per channel)`, found: `${slope.length} values`, where: ctx.where(node), hint: 'only channel-wise PReLU is imported' });
  const alpha = slope.length === c ? Float32Array.from(slope) : new Float32Array(c).fill(slope[0] as number);
  const layer = ctx.layer(node, 'PReLU', { shared_axes: [1, 2] }, [x], [{ slot: 'alpha', shape: [1, 1, c], data: alpha }]);
  return derive(x, layer);
}

/** Sigmoid and Tanh → Activation. */
export function convertActivation(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = inputValue(ctx, node);
  const activation = node.opType === 'Sigmoid' ? 'sigmoid' : 'tanh';
  return derive(x, ctx.layer(node, 'Activation', { activation }, [x]), activation === 'sigmoid');
}

/** HardSigmoid → HardSigmoid (PyTorch's x/6 + 1/2 by default attributes, ONNX default 0.2x + 0.5). */
export function convertHardSigmoid(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = inputValue(ctx, node);
  const config = { alpha: readFloatAttr(node, 'alpha', 0.2), beta: readFloatAttr(node, 'beta', 0.5) };
  return derive(x, ctx.layer(node, 'HardSigmoid', config, [x]), true);
}

/** HardSwish (opset 14) → HardSwish. */
export function convertHardSwish(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = inputValue(ctx, node);
  return derive(x, ctx.layer(node, 'HardSwish', {}, [x]));
}

/** Softmax over the feature axis of a [batch, features] tensor. */
export function convertSoftmax(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = inputValue(ctx, node);
  const axis = readIntAttr(node, 'axis', ctx.opset < 13 ? 1 : -1);
  if (x.shape.length !== 1 || x.squeezed || (axis !== 1 && axis !== -1)) {
    fail('UNSUPPORTED_OP', { expected: 'Softmax over the features of a [batch, features] tensor', found: `axis ${axis} on Keras shape [${x.shape.join(', ')}]`, where: ctx.where(node), hint: 'only classifier softmax is imported' });
  }
  if (x.flatFrom) fail('UNSUPPORTED_OP', { expected: 'Softmax after a Gemm/MatMul', found: 'Softmax straight after a Flatten', where: ctx.where(node), hint: 'the flattened order differs between NCHW and NHWC' });
  return derive(x, ctx.layer(node, 'Softmax', { axis: -1 }, [x]), true);
}
