// ONNX Add, Mul, Div and Concat: bias Adds, SiLU and HardSwish patterns, SE scaling, and Keras merge layers.
import { fail } from '../../core/errors.ts';
import { readIntAttr } from './onnx-file.ts';
import { convertConv, convertMatMul } from './convert-weighted.ts';
import { readClipBounds } from './convert-activation.ts';
import { derive, type ImportContext, type KerasValue, type OnnxNode } from './import-context.ts';

/** Is a tensor a one-element constant equal to `value`? */
function isScalar(ctx: ImportContext, tensor: string | undefined, value: number): boolean {
  const c = tensor ? ctx.constant(tensor) : undefined;
  if (!c || c.data.length !== 1) return false;
  const v = c.kind === 'float' ? c.data[0] : c.data[0];
  return typeof v === 'number' && Math.abs(v - value) <= 1e-6 * Math.max(1, Math.abs(value));
}

/** The producer of `tensor` when it has op type `op`. */
function producerOf(ctx: ImportContext, tensor: string | undefined, op: string): OnnxNode | undefined {
  const p = tensor ? ctx.producer(tensor) : undefined;
  return p?.opType === op ? p : undefined;
}

/** The other input of a binary node, given one. */
function other(node: OnnxNode, tensor: string): string | undefined {
  const [a, b] = node.input ?? [];
  return a === tensor ? b : b === tensor ? a : undefined;
}

/** Is `t` = relu6(x + 3): Clip(Add(x, 3), 0, 6), or Clip(Relu(Add(x, 3)), ≤ 0, 6) as PyTorch writes relu6? */
function isRelu6Plus3(ctx: ImportContext, t: string | undefined, x: string): boolean {
  const clip = producerOf(ctx, t, 'Clip');
  if (!clip) return false;
  const [lo, hi] = readClipBounds(ctx, clip);
  const relu = producerOf(ctx, clip.input?.[0], 'Relu');
  const add = producerOf(ctx, relu ? relu.input?.[0] : clip.input?.[0], 'Add');
  const bounded = relu ? lo <= 0 : lo === 0;
  return bounded && hi === 6 && add !== undefined && isScalar(ctx, other(add, x), 3);
}

/** Is `t` PyTorch's hard sigmoid of x: HardSigmoid(x; 1/6, 1/2) or relu6(x + 3) / 6? */
function isHardSigmoidOf(ctx: ImportContext, t: string | undefined, x: string): boolean {
  const hs = producerOf(ctx, t, 'HardSigmoid');
  if (hs && hs.input?.[0] === x) {
    const alpha = hs.attribute?.find((a) => a.name === 'alpha')?.f ?? 0.2;
    const beta = hs.attribute?.find((a) => a.name === 'beta')?.f ?? 0.5;
    return Math.abs(alpha - 1 / 6) < 1e-6 && Math.abs(beta - 0.5) < 1e-6;
  }
  const div = producerOf(ctx, t, 'Div');
  return div !== undefined && isScalar(ctx, div.input?.[1], 6) && isRelu6Plus3(ctx, div.input?.[0], x);
}

/** Bring values to one Keras form: images (squeezed vectors reshaped) when any is an image. */
function alignValues(ctx: ImportContext, node: OnnxNode, xs: KerasValue[]): KerasValue[] {
  const flat = JSON.stringify(xs[0]?.flatFrom);
  if (xs.some((v) => JSON.stringify(v.flatFrom) !== flat)) fail('UNSUPPORTED_OP', { expected: 'inputs in the same element order', found: 'a flattened image mixed with another tensor', where: ctx.where(node), hint: 'merge before flattening' });
  const images = xs.some((v) => v.shape.length === 3);
  return images ? xs.map((v) => ctx.image(v, node)) : xs;
}

/** Add/Multiply merge layer of two or more computed values. */
function merge(ctx: ImportContext, node: OnnxNode, className: 'Add' | 'Multiply' | 'Concatenate'): KerasValue {
  const xs = alignValues(ctx, node, (node.input ?? []).map((t) => ctx.value(t, node)));
  const layer = ctx.layer(node, className, className === 'Concatenate' ? { axis: -1 } : {}, xs);
  const out: KerasValue = { layer, shape: layer.outputShape };
  if (xs.every((v) => v.squeezed)) out.squeezed = true;
  if (xs[0]?.flatFrom) out.flatFrom = xs[0].flatFrom;
  if (className !== 'Multiply' && xs.every((v) => v.nonNegative)) out.nonNegative = true;
  return out;
}

/** Which input of a binary node is constant (-1 when none). */
function constIndex(ctx: ImportContext, node: OnnxNode): number {
  return (node.input ?? []).findIndex((t) => t !== '' && ctx.constant(t) !== undefined);
}

/** Add: a bias after a Conv/MatMul (fused into it), or a residual Add of two computed tensors. */
export function convertAdd(ctx: ImportContext, node: OnnxNode): KerasValue {
  const ci = constIndex(ctx, node);
  if (ci < 0) return merge(ctx, node, 'Add');
  const bias = ctx.constant(node.input?.[ci] ?? '');
  const x = node.input?.[1 - ci] ?? '';
  const source = ctx.producer(x);
  if (bias && source && ctx.readers(x) === 1 && (source.opType === 'Conv' || source.opType === 'MatMul')) {
    return source.opType === 'Conv' ? convertConv(ctx, source, bias) : convertMatMul(ctx, source, bias);
  }
  return fail('UNSUPPORTED_OP', { expected: 'Add of two computed tensors, or a bias Add after Conv/MatMul', found: `Add of a constant to ${source ? `a ${source.opType} output` : 'an input'}`, where: ctx.where(node), hint: 'fold the constant into the preceding layer before exporting' });
}

/** Mul: SiLU x·σ(x), HardSwish x·hardsigmoid(x), or a product of two computed tensors (SE scaling). */
export function convertMul(ctx: ImportContext, node: OnnxNode): KerasValue {
  const [a = '', b = ''] = node.input ?? [];
  for (const [x, g] of [[a, b], [b, a]] as const) {
    const sig = producerOf(ctx, g, 'Sigmoid');
    if (sig && sig.input?.[0] === x) {
      const v = ctx.value(x, node);
      return derive(v, ctx.layer(node, 'Activation', { activation: 'swish' }, [v]));
    }
    if (isHardSigmoidOf(ctx, g, x)) {
      const v = ctx.value(x, node);
      return derive(v, ctx.layer(node, 'HardSwish', {}, [v]));
    }
  }
  if (constIndex(ctx, node) >= 0) fail('UNSUPPORTED_OP', { expected: 'Mul of two computed tensors (or a SiLU/HardSwish pattern)', found: 'Mul by a constant', where: ctx.where(node), hint: 'fold the scale into the preceding layer before exporting' });
  return merge(ctx, node, 'Multiply');
}

/** Div: only HardSwish written as x·relu6(x + 3) / 6. */
export function convertDiv(ctx: ImportContext, node: OnnxNode): KerasValue {
  const mul = producerOf(ctx, node.input?.[0], 'Mul');
  if (mul && isScalar(ctx, node.input?.[1], 6)) {
    const [a = '', b = ''] = mul.input ?? [];
    const x = isRelu6Plus3(ctx, b, a) ? a : isRelu6Plus3(ctx, a, b) ? b : undefined;
    if (x !== undefined) {
      const v = ctx.value(x, node);
      return derive(v, ctx.layer(node, 'HardSwish', {}, [v]));
    }
  }
  return fail('UNSUPPORTED_OP', { expected: 'Div as part of HardSwish (x * relu6(x + 3) / 6)', found: 'another division', where: ctx.where(node), hint: 'only the HardSwish pattern uses Div' });
}

/** Concat along the channel axis (1 in NCHW, or the feature axis of vectors) → Concatenate. */
export function convertConcat(ctx: ImportContext, node: OnnxNode): KerasValue {
  const first = ctx.value(node.input?.[0] ?? '', node);
  const rank = first.shape.length === 3 || first.squeezed ? 4 : first.shape.length + 1;
  const raw = readIntAttr(node, 'axis', 1);
  if ((node.input ?? []).length === 1) return first;
  if ((raw < 0 ? raw + rank : raw) !== 1) fail('UNSUPPORTED_OP', { expected: 'Concat on the channel axis (1)', found: `axis ${raw} of a rank-${rank} tensor`, where: ctx.where(node), hint: 'only channel concatenation is imported' });
  return merge(ctx, node, 'Concatenate');
}

