// ONNX emitters of the weightless layers: pooling, padding, Flatten, Reshape, merges, Concatenate, activations.
import { fail } from '../core/errors.ts';
import { readActivation, readPair } from '../layers/config.ts';
import { emitActivation, emitClip, emitSoftmax, resolvePhysicalAxis } from './onnx-activation.ts';
import { addFloatConst, addInt64Const, convertToKeras, convertToNchw, type EmitContext, type OnnxValue } from './onnx-context.ts';
import { buildWindowAttrs } from './onnx-conv-emitters.ts';

/** Dropout and friends: the value passes through unchanged (no node). */
export function emitIdentity(ctx: EmitContext): OnnxValue {
  return ctx.input();
}

/** MaxPooling2D / AveragePooling2D; Keras 'same' averages exclude the padding (count_include_pad 0). */
export function emitPooling2d(ctx: EmitContext): OnnxValue {
  const { node } = ctx;
  const x = convertToNchw(ctx.state, ctx.input(), node.name);
  const size = readPair(node.config, 'pool_size', node.name, 2);
  const attrs = buildWindowAttrs(node.config, node.name, x.shape, size, { strideField: 'strides', dilation: false });
  const isMax = node.className === 'MaxPooling2D';
  if (!isMax) attrs['count_include_pad'] = { int: 0 };
  return { name: ctx.op(isMax ? 'MaxPool' : 'AveragePool', [x.name], attrs), shape: node.outputShape, layout: 'nchw' };
}

/** GlobalAverage/GlobalMaxPooling2D: ReduceMean/ReduceMax over H and W (keepdims as configured). */
export function emitGlobalPooling2d(ctx: EmitContext): OnnxValue {
  const { node } = ctx;
  const x = convertToNchw(ctx.state, ctx.input(), node.name);
  const keep = node.config['keepdims'] === true;
  const op = node.className === 'GlobalMaxPooling2D' ? 'ReduceMax' : 'ReduceMean';
  const y = ctx.op(op, [x.name], { axes: { ints: [2, 3] }, keepdims: { int: keep ? 1 : 0 } });
  return { name: y, shape: node.outputShape, layout: keep ? 'nchw' : 'keras' };
}

/** ZeroPadding2D: a constant Pad on H and W. */
export function emitZeroPadding2d(ctx: EmitContext): OnnxValue {
  const { node } = ctx;
  const x = convertToNchw(ctx.state, ctx.input(), node.name);
  const raw = node.config['padding'] ?? 1;
  const pairs: unknown = typeof raw === 'number' ? [[raw, raw], [raw, raw]] : Array.isArray(raw) && raw.every((v) => typeof v === 'number') ? raw.map((v) => [v, v]) : raw;
  const ok = Array.isArray(pairs) && pairs.length === 2 && pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0));
  if (!ok) fail('INVALID_MODEL', { expected: 'padding as n, [h, w] or [[top, bottom], [left, right]]', found: JSON.stringify(raw), where: `layer "${node.name}"`, hint: 'check the ZeroPadding2D config' });
  const [[top, bottom], [left, right]] = pairs as [[number, number], [number, number]];
  const pads = addInt64Const(ctx.state, `pads/${[0, 0, top, left, 0, 0, bottom, right].join(',')}`, [0, 0, top, left, 0, 0, bottom, right]);
  return { name: ctx.op('Pad', [x.name, pads], { mode: { string: 'constant' } }), shape: node.outputShape, layout: 'nchw' };
}

/**
 * Flatten. On an NCHW image the vector comes out in C·H·W order (`flat-chw`); a following Dense has
 * its kernel rows rearranged to match, and any other consumer gets the Keras order back by transposing.
 */
export function emitFlatten(ctx: EmitContext): OnnxValue {
  const { node } = ctx;
  const input = ctx.input();
  if (input.shape.length === 1) return input;
  const y = ctx.op('Flatten', [input.name], { axis: { int: 1 } });
  if (input.layout === 'nchw') {
    const [h, w, c] = input.shape as [number, number, number];
    const sameOrder = h * w === 1 || c === 1;
    return sameOrder ? { name: y, shape: node.outputShape, layout: 'keras' } : { name: y, shape: node.outputShape, layout: 'flat-chw', from: input.shape };
  }
  return { name: y, shape: node.outputShape, layout: input.layout === 'flat-chw' ? 'flat-chw' : 'keras', ...(input.from ? { from: input.from } : {}) };
}

/**
 * Reshape in Keras order (the input is brought to Keras order first; the batch axis is kept). A
 * reshape to a 1×1×C image is written straight as NCHW [N, C, 1, 1]: the same memory order.
 */
export function emitReshape(ctx: EmitContext): OnnxValue {
  const { node } = ctx;
  const x = convertToKeras(ctx.state, ctx.input());
  const target = node.outputShape;
  if (target.length === 3 && target[0] === 1 && target[1] === 1) {
    const dims = [0, target[2] as number, 1, 1];
    const shape = addInt64Const(ctx.state, `shape/${dims.join(',')}`, dims);
    return { name: ctx.op('Reshape', [x.name, shape]), shape: target, layout: 'nchw' };
  }
  const shape = addInt64Const(ctx.state, `shape/0,${target.join(',')}`, [0, ...target]);
  return { name: ctx.op('Reshape', [x.name, shape]), shape: target, layout: 'keras' };
}

/** Bring every input of a merge to one common layout (NCHW for images, Keras order otherwise). */
function alignInputs(ctx: EmitContext): OnnxValue[] {
  const { inputs } = ctx;
  const first = inputs[0];
  const same = first && inputs.every((v) => v.layout === first.layout && JSON.stringify(v.from) === JSON.stringify(first.from));
  if (same) return inputs;
  if (inputs.every((v) => v.shape.length === 3)) return inputs.map((v) => convertToNchw(ctx.state, v, ctx.node.name));
  return inputs.map((v) => convertToKeras(ctx.state, v));
}

/** Add, Multiply, Subtract, Average, Maximum, Minimum: element-wise with broadcasting. */
export function emitMerge(ctx: EmitContext): OnnxValue {
  const { node } = ctx;
  const xs = alignInputs(ctx);
  const names = xs.map((v) => v.name);
  const base = xs.reduce((a, b) => (b.shape.length > a.shape.length ? b : a));
  const variadic: Record<string, string> = { Add: 'Sum', Average: 'Mean', Maximum: 'Max', Minimum: 'Min' };
  const binary: Record<string, string> = { Add: 'Add', Multiply: 'Mul', Subtract: 'Sub', Maximum: 'Max', Minimum: 'Min' };
  let y: string;
  if (names.length === 2 && binary[node.className]) {
    y = ctx.op(binary[node.className] as string, names);
  } else if (variadic[node.className]) {
    y = ctx.op(variadic[node.className] as string, names);
  } else if (node.className === 'Multiply') {
    y = names.slice(1).reduce((acc, n, i) => ctx.op('Mul', [acc, n], {}, i === names.length - 2 ? undefined : `mul${i + 1}`), names[0] as string);
  } else {
    return fail('INVALID_MODEL', { expected: `two inputs for ${node.className}`, found: `${names.length}`, where: `layer "${node.name}"`, hint: 'check the model topology' });
  }
  return { ...base, name: y, shape: node.outputShape };
}

/** Concatenate along a Keras axis (the channel axis becomes axis 1 in NCHW). */
export function emitConcatenate(ctx: EmitContext): OnnxValue {
  const { node } = ctx;
  let xs = alignInputs(ctx);
  if (xs.some((v) => v.layout === 'flat-chw')) xs = xs.map((v) => convertToKeras(ctx.state, v));
  const first = xs[0] as OnnxValue;
  const axis = typeof node.config['axis'] === 'number' ? node.config['axis'] : -1;
  const y = ctx.op('Concat', xs.map((v) => v.name), { axis: { int: resolvePhysicalAxis(first, axis, node.name) } });
  return { name: y, shape: node.outputShape, layout: first.layout };
}

/** Activation layer. */
export function emitActivationLayer(ctx: EmitContext): OnnxValue {
  return emitActivation(ctx, ctx.input(), readActivation(ctx.node.config));
}

/** Softmax layer over its configured axis. */
export function emitSoftmaxLayer(ctx: EmitContext): OnnxValue {
  const raw = ctx.node.config['axis'];
  const axis = Array.isArray(raw) ? raw[0] : raw;
  return emitSoftmax(ctx, ctx.input(), typeof axis === 'number' ? axis : -1);
}

/** A numeric config field or its default. */
function numberField(ctx: EmitContext, field: string, fallback: number): number {
  const v = ctx.node.config[field];
  return typeof v === 'number' ? v : fallback;
}

/** ReLU layer: max_value → Clip, negative_slope → LeakyRelu (then Min when both); a threshold is not supported. */
export function emitReluLayer(ctx: EmitContext): OnnxValue {
  const x = ctx.input();
  const max = ctx.node.config['max_value'];
  const slope = numberField(ctx, 'negative_slope', 0);
  if (numberField(ctx, 'threshold', 0) !== 0) {
    fail('UNSUPPORTED_LAYER', { expected: 'ReLU with threshold 0', found: `threshold ${String(ctx.node.config['threshold'])}`, where: `layer "${ctx.node.name}" (ReLU)`, hint: 'thresholded ReLU has no exporter yet' });
  }
  if (typeof max !== 'number') return { ...x, name: slope === 0 ? ctx.op('Relu', [x.name]) : ctx.op('LeakyRelu', [x.name], { alpha: { float: slope } }) };
  if (slope === 0) return { ...x, name: emitClip(ctx, x.name, 0, max) };
  const leaky = ctx.op('LeakyRelu', [x.name], { alpha: { float: slope } }, 'leaky');
  return { ...x, name: ctx.op('Min', [leaky, addFloatConst(ctx.state, `const/${max}`, [], [max])]) };
}

/** LeakyReLU layer (`alpha`, or Keras 3 `negative_slope`; default 0.3). */
export function emitLeakyReluLayer(ctx: EmitContext): OnnxValue {
  const x = ctx.input();
  const alpha = numberField(ctx, 'alpha', numberField(ctx, 'negative_slope', 0.3));
  return { ...x, name: ctx.op('LeakyRelu', [x.name], { alpha: { float: alpha } }) };
}

/** ELU layer (`alpha`, default 1). */
export function emitEluLayer(ctx: EmitContext): OnnxValue {
  const x = ctx.input();
  return { ...x, name: ctx.op('Elu', [x.name], { alpha: { float: numberField(ctx, 'alpha', 1) } }) };
}
