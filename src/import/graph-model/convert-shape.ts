// Shape and pooling ops (Placeholder, Identity, Mean/Max over H,W, ConcatV2, MaxPool, AvgPool, Pad, Reshape, Squeeze) as Keras layers.
import type { LayerRecord } from '../keras-builder.ts';
import { readBoolAttr, readIntList, readShapeAttr, readStringAttr, unsupported } from './attrs.ts';
import { readWindow } from './convert-conv.ts';
import type { ConvertContext, GraphValue } from './convert-context.ts';

/** Placeholder: an InputLayer; sizes other than the batch must be known (or given by `inputShape`). */
export function convertPlaceholder(ctx: ConvertContext, inputShape?: number[]): GraphValue {
  const { node } = ctx;
  const declared = readShapeAttr(node, 'shape');
  const shape = inputShape ?? declared?.slice(1);
  if (!shape || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    unsupported(node, 'an input whose sizes other than the batch are known', declared ? `shape [${declared.join(', ')}]` : 'no shape', 'pass the input size (inputShape, e.g. [224, 224, 3])');
  }
  const dtype = node.attr['dtype'];
  if (dtype !== undefined && JSON.stringify(dtype) !== '{"type":"DT_FLOAT"}') unsupported(node, 'a float32 input', JSON.stringify(dtype), 'edge-prune imports image models with float inputs');
  return { kind: 'layer', record: ctx.add('InputLayer', { batch_input_shape: [null, ...shape], dtype: 'float32', sparse: false }, []) };
}

/** Identity-like ops: the input's value. */
export function convertIdentity(ctx: ConvertContext): GraphValue {
  return ctx.input(0);
}

/** Mean/Max over axes 1 and 2 of an image: global pooling (keep_dims kept). */
export function convertReduce(ctx: ConvertContext): GraphValue {
  const x = ctx.layerInput(0);
  const rank = x.outputShape.length + 1;
  const axes = [...ctx.constInput(1).data].map((a) => (a < 0 ? a + rank : a)).sort();
  if (rank !== 4 || axes.join(',') !== '1,2') unsupported(ctx.node, `${ctx.node.op} over axes [1, 2] of an NHWC image`, `axes [${axes.join(', ')}] of a rank-${rank} value`);
  const cls = ctx.node.op === 'Mean' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
  const pooled = ctx.add(cls, { data_format: 'channels_last' }, [x]);
  // tfjs's global pooling layers ignore keepdims: keep the axes with a Reshape to [1, 1, C].
  if (!readBoolAttr(ctx.node, 'keep_dims', false)) return { kind: 'layer', record: pooled };
  return { kind: 'layer', record: ctx.add('Reshape', { target_shape: [1, 1, x.outputShape[2] as number] }, [pooled]) };
}

/** ConcatV2(x1..xn, axis). */
export function convertConcat(ctx: ConvertContext): GraphValue {
  const n = ctx.node.inputs.length - 1;
  const inputs = Array.from({ length: n }, (_, i) => ctx.layerInput(i));
  const rank = (inputs[0]?.outputShape.length ?? 0) + 1;
  const raw = ctx.constInput(n).data[0] ?? 0;
  const axis = raw < 0 ? raw + rank : raw;
  if (axis < 1 || axis >= rank) unsupported(ctx.node, 'concatenation along a non-batch axis', `axis ${raw}`);
  if (n === 1) return { kind: 'layer', record: inputs[0] as LayerRecord };
  return { kind: 'layer', record: ctx.add('Concatenate', { axis: axis === rank - 1 ? -1 : axis }, inputs) };
}

/** MaxPool / AvgPool. */
export function convertPool(ctx: ConvertContext): GraphValue {
  const [kb, kh, kw, kc] = readIntList(ctx.node, 'ksize');
  if (kb !== 1 || kc !== 1) unsupported(ctx.node, 'ksize [1, kh, kw, 1]', `ksize ${JSON.stringify(readIntList(ctx.node, 'ksize'))}`);
  const { config, input } = readWindow(ctx, ctx.layerInput(0), false);
  const cls = ctx.node.op === 'MaxPool' ? 'MaxPooling2D' : 'AveragePooling2D';
  return { kind: 'layer', record: ctx.add(cls, { pool_size: [kh, kw], ...config }, [input]) };
}

/** Pad / PadV2 with zeros on H and W only: ZeroPadding2D. */
export function convertPad(ctx: ConvertContext): GraphValue {
  const x = ctx.layerInput(0);
  const p = [...ctx.constInput(1).data];
  if (ctx.node.op === 'PadV2' && ctx.constInput(2).data.some((v) => v !== 0)) unsupported(ctx.node, 'padding with zeros', 'a non-zero constant_values');
  if (ctx.node.op === 'MirrorPad') unsupported(ctx.node, 'zero padding', `mode ${readStringAttr(ctx.node, 'mode', '?')}`);
  if (x.outputShape.length !== 3 || p.length !== 8 || p[0] || p[1] || p.some((v) => v < 0)) unsupported(ctx.node, 'padding of H, W or C of an NHWC image', `paddings [${p.join(', ')}]`);
  const spatial = p[2] || p[3] || p[4] || p[5];
  const padded = spatial ? ctx.add('ZeroPadding2D', { padding: [[p[2], p[3]], [p[4], p[5]]], data_format: 'channels_last' }, [x]) : x;
  if (!p[6] && !p[7]) return { kind: 'layer', record: padded };
  return { kind: 'layer', record: padChannels(ctx, padded, p[6] as number, p[7] as number) };
}

/**
 * Zero channels added before/after the C channels (BlazeFace-style "channel padding" of a residual):
 * a 1×1 Conv2D with a fixed identity kernel and zero columns. Exact, and the zero channels start a
 * new space whose all-zero filters score lowest, so pruning may remove them first.
 */
function padChannels(ctx: ConvertContext, x: LayerRecord, before: number, after: number): LayerRecord {
  const c = x.outputShape[2] as number;
  const out = before + c + after;
  const kernel = new Float32Array(c * out);
  for (let i = 0; i < c; i++) kernel[i * out + before + i] = 1;
  const config = { filters: out, kernel_size: [1, 1], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: false };
  return ctx.add('Conv2D', config, [x], [{ slot: 'kernel', shape: [1, 1, c, out], data: kernel }]);
}

/** A value reshaped to `target` (no batch axis): Flatten when it makes one vector of an image, else Reshape. */
function reshapeTo(ctx: ConvertContext, x: LayerRecord, target: number[]): GraphValue {
  const size = x.outputShape.reduce((a, b) => a * b, 1);
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const shape = target.map((d) => (d === -1 ? size / known : d));
  if (shape.some((d) => !Number.isInteger(d) || d <= 0) || shape.reduce((a, b) => a * b, 1) !== size) {
    unsupported(ctx.node, `a target shape holding ${size} values per example`, `[${target.join(', ')}]`);
  }
  if (shape.join(',') === x.outputShape.join(',')) return { kind: 'layer', record: x };
  if (shape.length === 1 && x.outputShape.length > 1) return { kind: 'layer', record: ctx.add('Flatten', { data_format: 'channels_last' }, [x]) };
  return { kind: 'layer', record: ctx.add('Reshape', { target_shape: shape }, [x]) };
}

/** Reshape(x, shape) with a constant shape whose first entry is the batch (-1 or 1). */
export function convertReshape(ctx: ConvertContext): GraphValue {
  const x = ctx.layerInput(0);
  const target = [...ctx.constInput(1).data];
  const [batch, ...rest] = target;
  if (batch !== -1 && batch !== 1) unsupported(ctx.node, 'a target shape that keeps the batch axis first (-1 or 1)', `[${target.join(', ')}]`);
  if (batch === -1 && rest.includes(-1)) unsupported(ctx.node, 'a target shape with one -1', `[${target.join(', ')}]`);
  return reshapeTo(ctx, x, rest);
}

/** Squeeze of size-1 axes other than the batch. */
export function convertSqueeze(ctx: ConvertContext): GraphValue {
  const x = ctx.layerInput(0);
  const rank = x.outputShape.length + 1;
  const dims = readIntList(ctx.node, 'squeeze_dims', []).map((d) => (d < 0 ? d + rank : d));
  if (dims.includes(0)) unsupported(ctx.node, 'squeezing axes other than the batch', `squeeze_dims [${dims.join(', ')}]`);
  const drop = dims.length > 0 ? new Set(dims) : new Set(x.outputShape.map((d, i) => (d === 1 ? i + 1 : -1)));
  if ([...drop].some((a) => a > 0 && x.outputShape[a - 1] !== 1)) unsupported(ctx.node, 'squeezed axes of size 1', `shape [${x.outputShape.join(', ')}], dims [${[...drop].join(', ')}]`);
  return reshapeTo(ctx, x, x.outputShape.filter((_, i) => !drop.has(i + 1)));
}
