// ONNX and TF.js graph emitters of the detector blocks: ChannelSlice (Slice on channels) and up-sampling (Resize).
import { readChoice, readPair } from '../layers/config.ts';
import { readChannelSlice } from '../layers/dense-rules.ts';
import { resolvePhysicalAxis } from './onnx-activation.ts';
import { addFloatConst, addInt64Const, convertToNchw, type EmitContext, type OnnxValue } from './onnx-context.ts';
import { addInt32Const, attr, type TfEmitContext } from './graph-context.ts';
import type { OnnxAttrs } from './onnx-tensors.ts';

/** The input's channel count (last Keras axis). */
const channelsOf = (shape: readonly number[]): number => shape[shape.length - 1] ?? 0;

/** ChannelSlice → Slice on the physical channel axis (1 for NCHW images). */
export function emitChannelSlice(ctx: EmitContext): OnnxValue {
  const x = ctx.input();
  const { begin, size } = readChannelSlice(ctx.node.config, channelsOf(x.shape), ctx.node.name);
  const axis = resolvePhysicalAxis(x, -1, ctx.node.name);
  const s = ctx.state;
  const y = ctx.op('Slice', [x.name, addInt64Const(s, `const/i64/${begin}`, [begin]), addInt64Const(s, `const/i64/${begin + size}`, [begin + size]), addInt64Const(s, `const/i64/${axis}`, [axis])]);
  return { name: y, shape: ctx.node.outputShape, layout: x.layout };
}

/** UpSampling2D / BilinearUpSampling2D → Resize by scales [1, 1, sh, sw] on NCHW (nearest: asymmetric + floor, as TF does). */
export function emitUpSampling(ctx: EmitContext): OnnxValue {
  const { node } = ctx;
  const x = convertToNchw(ctx.state, ctx.input(), node.name);
  const [sh, sw] = readPair(node.config, 'size', node.name, 2);
  const bilinear = readChoice(node.config, 'interpolation', node.name, ['nearest', 'bilinear'], 'nearest') === 'bilinear';
  const halfPixel = node.className === 'BilinearUpSampling2D';
  const scales = addFloatConst(ctx.state, `const/scales/1,1,${sh},${sw}`, [4], [1, 1, sh, sw]);
  const attrs: OnnxAttrs = bilinear
    ? { mode: { string: 'linear' }, coordinate_transformation_mode: { string: halfPixel ? 'half_pixel' : 'asymmetric' } }
    : { mode: { string: 'nearest' }, coordinate_transformation_mode: { string: 'asymmetric' }, nearest_mode: { string: 'floor' } };
  return { name: ctx.op('Resize', [x.name, '', scales], attrs), shape: node.outputShape, layout: 'nchw' };
}

/** ChannelSlice → Slice with begin [0, ..., begin] and size [-1, ..., size]. */
export function emitTfChannelSlice(c: TfEmitContext): string {
  const shape = c.inputShapes[0] ?? [];
  const { begin, size } = readChannelSlice(c.node.config, channelsOf(shape), c.node.name);
  const rank = shape.length + 1;
  const starts = Array.from({ length: rank }, (_, i) => (i === rank - 1 ? begin : 0));
  const sizes = Array.from({ length: rank }, (_, i) => (i === rank - 1 ? size : -1));
  return c.op('Slice', [c.inputs[0] as string, addInt32Const(c.state, starts), addInt32Const(c.state, sizes)], { T: attr.float(), Index: { type: 'DT_INT32' } });
}

/** UpSampling2D → ResizeNearestNeighbor / ResizeBilinear to the output size (half-pixel centres for BilinearUpSampling2D). */
export function emitTfUpSampling(ctx: TfEmitContext): string {
  const { node } = ctx;
  const [oh, ow] = node.outputShape as [number, number];
  const bilinear = readChoice(node.config, 'interpolation', node.name, ['nearest', 'bilinear'], 'nearest') === 'bilinear';
  const attrs = { T: attr.float(), align_corners: attr.bool(false), half_pixel_centers: attr.bool(node.className === 'BilinearUpSampling2D') };
  return ctx.op(bilinear ? 'ResizeBilinear' : 'ResizeNearestNeighbor', [ctx.inputs[0] as string, addInt32Const(ctx.state, [oh, ow])], attrs);
}
