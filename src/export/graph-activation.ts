// TF.js graph-model ops for Keras activations (layer configs and Activation/ReLU/LeakyReLU/ELU layers).
import { fail } from '../core/errors.ts';
import { addFloatScalar, type TfAttr, type TfEmitContext } from './graph-context.ts';

/** Activations that are one TF op. */
const SIMPLE: Record<string, string> = {
  relu: 'Relu',
  relu6: 'Relu6',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  elu: 'Elu',
  selu: 'Selu',
  softplus: 'Softplus',
  exponential: 'Exp',
  softmax: 'Softmax',
};

/** Emit a Keras activation on tensor `x`; `linear` emits nothing. Returns the output tensor. */
export function emitTfActivation(ctx: TfEmitContext, x: string, activation: string, suffix?: string): string {
  const name = activation.toLowerCase();
  if (name === 'linear' || name === 'identity') return x;
  const simple = SIMPLE[name];
  if (simple) return ctx.op(simple, [x], {}, suffix);
  const { state } = ctx;
  switch (name) {
    case 'hard_sigmoid':
    case 'hardsigmoid': {
      const scaled = ctx.op('Mul', [x, addFloatScalar(state, 0.2)], {}, 'hs_mul');
      const shifted = ctx.op('AddV2', [scaled, addFloatScalar(state, 0.5)], {}, 'hs_add');
      return ctx.op('ClipByValue', [shifted, addFloatScalar(state, 0), addFloatScalar(state, 1)], {}, suffix);
    }
    case 'swish':
    case 'silu':
      return ctx.op('Mul', [x, ctx.op('Sigmoid', [x], {}, 'sigmoid')], {}, suffix);
    case 'mish':
      return ctx.op('Mul', [x, ctx.op('Tanh', [ctx.op('Softplus', [x], {}, 'softplus')], {}, 'tanh')], {}, suffix);
    case 'softsign': {
      const denom = ctx.op('AddV2', [ctx.op('Abs', [x], {}, 'abs'), addFloatScalar(state, 1)], {}, 'denom');
      return ctx.op('RealDiv', [x, denom], {}, suffix);
    }
    default:
      return fail('UNSUPPORTED_LAYER', {
        expected: 'a supported activation (linear, relu, relu6, sigmoid, tanh, softmax, elu, selu, softplus, softsign, hard_sigmoid, swish, mish, exponential)',
        found: `activation "${activation}"`,
        where: `layer "${ctx.node.name}" (${ctx.node.className})`,
        hint: 'replace the activation before exporting, or add it in src/export/graph-activation.ts',
      });
  }
}

/** A numeric config field or its default. */
function numberField(ctx: TfEmitContext, field: string, fallback: number): number {
  const v = ctx.node.config[field];
  return typeof v === 'number' ? v : fallback;
}

/** ReLU layer: Relu, Relu6, LeakyRelu, or a clip at max_value. */
export function emitTfReluLayer(ctx: TfEmitContext): string {
  const x = ctx.inputs[0] as string;
  const max = ctx.node.config['max_value'];
  const slope = numberField(ctx, 'negative_slope', 0);
  if (numberField(ctx, 'threshold', 0) !== 0) {
    fail('UNSUPPORTED_LAYER', { expected: 'ReLU with threshold 0', found: `threshold ${String(ctx.node.config['threshold'])}`, where: `layer "${ctx.node.name}" (ReLU)`, hint: 'thresholded ReLU has no exporter yet' });
  }
  const base = slope === 0 ? (max === 6 ? 'Relu6' : 'Relu') : 'LeakyRelu';
  const attrs: Record<string, TfAttr> = slope === 0 ? {} : { alpha: { f: slope } };
  if (typeof max !== 'number' || (max === 6 && slope === 0)) return ctx.op(base, [x], attrs);
  const y = ctx.op(base, [x], attrs, 'relu');
  return ctx.op('Minimum', [y, addFloatScalar(ctx.state, max)]);
}

/** LeakyReLU layer. */
export function emitTfLeakyReluLayer(ctx: TfEmitContext): string {
  const alpha = numberField(ctx, 'alpha', numberField(ctx, 'negative_slope', 0.3));
  return ctx.op('LeakyRelu', [ctx.inputs[0] as string], { alpha: { f: alpha } });
}

/** ELU layer; TF's Elu has alpha 1, other alphas are Relu(x) + alpha·Elu(min(x, 0)). */
export function emitTfEluLayer(ctx: TfEmitContext): string {
  const x = ctx.inputs[0] as string;
  const alpha = numberField(ctx, 'alpha', 1);
  if (alpha === 1) return ctx.op('Elu', [x]);
  const neg = ctx.op('Elu', [ctx.op('Minimum', [x, addFloatScalar(ctx.state, 0)], {}, 'neg')], {}, 'elu');
  return ctx.op('AddV2', [ctx.op('Relu', [x], {}, 'relu'), ctx.op('Mul', [neg, addFloatScalar(ctx.state, alpha)], {}, 'scaled')]);
}

/** PReLU layer (slope shared over H and W): Prelu with the slope as [C]. */
export function emitTfPreluLayer(ctx: TfEmitContext): string {
  const alpha = ctx.requireWeight('alpha');
  return ctx.op('Prelu', [ctx.inputs[0] as string, ctx.constant('alpha', [alpha.data.length], alpha.data)], { T: { type: 'DT_FLOAT' } });
}

/** clip(alpha·x + beta, 0, 1) on x. */
function emitTfHardSigmoid(ctx: TfEmitContext, x: string, alpha: number, beta: number, suffix?: string): string {
  const scaled = ctx.op('Mul', [x, addFloatScalar(ctx.state, alpha)], {}, 'hs_mul');
  const shifted = ctx.op('AddV2', [scaled, addFloatScalar(ctx.state, beta)], {}, 'hs_add');
  return ctx.op('ClipByValue', [shifted, addFloatScalar(ctx.state, 0), addFloatScalar(ctx.state, 1)], {}, suffix);
}

/** HardSigmoid layer (PyTorch's alpha 1/6, beta 1/2 by default). */
export function emitTfHardSigmoidLayer(ctx: TfEmitContext): string {
  return emitTfHardSigmoid(ctx, ctx.inputs[0] as string, numberField(ctx, 'alpha', 1 / 6), numberField(ctx, 'beta', 0.5));
}

/** HardSwish layer: x · clip(x/6 + 1/2, 0, 1). */
export function emitTfHardSwishLayer(ctx: TfEmitContext): string {
  const x = ctx.inputs[0] as string;
  return ctx.op('Mul', [x, emitTfHardSigmoid(ctx, x, 1 / 6, 0.5, 'gate')]);
}
