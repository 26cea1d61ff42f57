// ONNX nodes for Keras activations (the `activation` of a layer config, Activation/ReLU/Softmax layers).
import { fail } from '../core/errors.ts';
import { addFloatConst, type EmitContext, type OnnxValue } from './onnx-context.ts';

/** Keras activation names that map to one ONNX op with no attributes. */
const SIMPLE: Record<string, string> = {
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  elu: 'Elu',
  selu: 'Selu',
  softplus: 'Softplus',
  softsign: 'Softsign',
  exponential: 'Exp',
};

/** Physical ONNX axis of a Keras axis (batch included, negative allowed) for a value. */
export function resolvePhysicalAxis(v: OnnxValue, axis: number, layer: string): number {
  const rank = v.shape.length + 1;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 1 || a >= rank) {
    fail('INVALID_MODEL', { expected: `an axis in [1, ${rank - 1}]`, found: `axis ${axis}`, where: `layer "${layer}"`, hint: 'the batch axis cannot be used here' });
  }
  if (v.layout === 'nchw') return [0, 2, 3, 1][a] as number;
  return a;
}

/** Clip between shared scalar constants (opset 13 takes min/max as inputs). */
export function emitClip(ctx: EmitContext, input: string, lo: number, hi: number, suffix?: string): string {
  const min = addFloatConst(ctx.state, `const/${lo}`, [], [lo]);
  const max = addFloatConst(ctx.state, `const/${hi}`, [], [hi]);
  return ctx.op('Clip', [input, min, max], {}, suffix);
}

/** Softmax over a Keras axis. A flattened vector is softmaxed whole, so its element order does not matter. */
export function emitSoftmax(ctx: EmitContext, v: OnnxValue, axis: number, suffix?: string): OnnxValue {
  const physical = v.layout === 'flat-chw' ? 1 : resolvePhysicalAxis(v, axis, ctx.node.name);
  return { ...v, name: ctx.op('Softmax', [v.name], { axis: { int: physical } }, suffix) };
}

/**
 * Emit a Keras activation by name on `v`; `linear` emits nothing. Unknown names are an
 * UNSUPPORTED_LAYER error naming the layer. The last node's output gets `suffix`.
 */
export function emitActivation(ctx: EmitContext, v: OnnxValue, activation: string, suffix?: string): OnnxValue {
  const name = activation.toLowerCase();
  const out = (tensor: string): OnnxValue => ({ ...v, name: tensor });
  if (name === 'linear' || name === 'identity') return v;
  const simple = SIMPLE[name];
  if (simple) return out(ctx.op(simple, [v.name], {}, suffix));
  switch (name) {
    case 'relu6':
      return out(emitClip(ctx, v.name, 0, 6, suffix));
    case 'hard_sigmoid':
    case 'hardsigmoid':
      return out(ctx.op('HardSigmoid', [v.name], { alpha: { float: 0.2 }, beta: { float: 0.5 } }, suffix));
    case 'swish':
    case 'silu': {
      const s = ctx.op('Sigmoid', [v.name], {}, 'sigmoid');
      return out(ctx.op('Mul', [v.name, s], {}, suffix));
    }
    case 'mish': {
      const sp = ctx.op('Softplus', [v.name], {}, 'softplus');
      const t = ctx.op('Tanh', [sp], {}, 'tanh');
      return out(ctx.op('Mul', [v.name, t], {}, suffix));
    }
    case 'softmax':
      return emitSoftmax(ctx, v, -1, suffix);
    default:
      return fail('UNSUPPORTED_LAYER', {
        expected: 'a supported activation (linear, relu, relu6, sigmoid, tanh, softmax, elu, selu, softplus, softsign, hard_sigmoid, swish, mish, exponential)',
        found: `activation "${activation}"`,
        where: `layer "${ctx.node.name}" (${ctx.node.className})`,
        hint: 'replace the activation before exporting, or add an emitter for it in src/export/onnx-activation.ts',
      });
  }
}
