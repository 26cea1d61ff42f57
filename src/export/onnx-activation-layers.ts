// ONNX emitters of the activation layers ONNX import adds: PReLU (per-channel slope), HardSwish, HardSigmoid.
import { convertToNchw, type EmitContext, type OnnxValue } from './onnx-context.ts';

/** A numeric config field or its default. */
function numberField(ctx: EmitContext, field: string, fallback: number): number {
  const v = ctx.node.config[field];
  return typeof v === 'number' ? v : fallback;
}

/** PReLU on an image: PRelu with the slope as [C, 1, 1] on the NCHW tensor. */
export function emitPreluLayer(ctx: EmitContext): OnnxValue {
  const x = convertToNchw(ctx.state, ctx.input(), ctx.node.name);
  const alpha = ctx.requireWeight('alpha');
  const c = alpha.data.length;
  const slope = ctx.addWeight('alpha', [c, 1, 1], alpha.data);
  return { ...x, name: ctx.op('PRelu', [x.name, slope]) };
}

/** HardSigmoid layer: HardSigmoid(alpha, beta) (PyTorch's defaults 1/6, 1/2). */
export function emitHardSigmoidLayer(ctx: EmitContext): OnnxValue {
  const x = ctx.input();
  const attrs = { alpha: { float: numberField(ctx, 'alpha', 1 / 6) }, beta: { float: numberField(ctx, 'beta', 0.5) } };
  return { ...x, name: ctx.op('HardSigmoid', [x.name], attrs) };
}

/** HardSwish layer: x · HardSigmoid(x; 1/6, 1/2) (the HardSwish op needs opset 14; the exporter writes 13). */
export function emitHardSwishLayer(ctx: EmitContext): OnnxValue {
  const x = ctx.input();
  const gate = ctx.op('HardSigmoid', [x.name], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } }, 'gate');
  return { ...x, name: ctx.op('Mul', [x.name, gate]) };
}
