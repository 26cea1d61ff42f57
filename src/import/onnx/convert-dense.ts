// ONNX Split and Slice on the channel axis (C2f/CSP parts) as ChannelSlice layers, and Resize/Upsample as up-sampling layers.
import { fail } from '../../core/errors.ts';
import { readFloatAttr, readIntAttr, readIntsAttr, readStringAttr } from './onnx-file.ts';
import { readFloats, readNumbers } from './onnx-tensor.ts';
import { derive, inputValue, optionalConstInput, requireConstInput, type ImportContext, type KerasValue, type OnnxNode } from './import-context.ts';

/** The channel count of an image value, or a typed error for other tensors. */
function imageChannels(ctx: ImportContext, node: OnnxNode, x: KerasValue): number {
  if (x.shape.length !== 3) fail('UNSUPPORTED_OP', { expected: `${node.opType} of an image [N, C, H, W]`, found: `a Keras [${x.shape.join(', ')}] tensor`, where: ctx.where(node), hint: `only ${node.opType} over the channels of a feature map is imported` });
  return x.shape[2] as number;
}

/** A ChannelSlice layer of channels [begin, begin + size). */
function channelSlice(ctx: ImportContext, node: OnnxNode, x: KerasValue, begin: number, size: number, suffix?: string): KerasValue {
  return derive(x, ctx.layer(node, 'ChannelSlice', { begin, size }, [x], [], suffix), x.nonNegative);
}

/** Split on the channel axis: one ChannelSlice per output (sizes from the attribute, the input, or equal parts). */
export function convertSplit(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = inputValue(ctx, node);
  const channels = imageChannels(ctx, node, x);
  const axis = readIntAttr(node, 'axis', 0);
  if (axis !== 1 && axis !== -3) fail('UNSUPPORTED_OP', { expected: 'Split on the channel axis (1)', found: `axis ${axis}`, where: ctx.where(node), hint: 'only splitting a feature map into channel parts (C2f, CSP) is imported' });
  const outputs = node.output ?? [];
  const fromInput = ctx.opset >= 13 ? optionalConstInput(ctx, node, 1, 'the Split sizes') : undefined;
  const sizes = fromInput ? readNumbers(fromInput, ctx.where(node)) : (readIntsAttr(node, 'split') ?? new Array<number>(outputs.length).fill(channels / outputs.length));
  if (sizes.length !== outputs.length || sizes.some((s) => !Number.isInteger(s) || s < 1) || sizes.reduce((a, b) => a + b, 0) !== channels) {
    fail('UNSUPPORTED_OP', { expected: `${outputs.length} positive parts summing to ${channels} channels`, found: `split [${sizes.join(', ')}]`, where: ctx.where(node), hint: 'uneven Split without sizes is not imported' });
  }
  let begin = 0;
  const values = sizes.map((size, i) => {
    const v = channelSlice(ctx, node, x, begin, size, String(i));
    begin += size;
    return v;
  });
  outputs.forEach((t, i) => { if (t !== '') ctx.define(t, values[i] as KerasValue); });
  return values[0] as KerasValue;
}

/** Slice with step 1 that keeps a channel range (other axes kept whole) → ChannelSlice. */
export function convertSlice(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = inputValue(ctx, node);
  const channels = imageChannels(ctx, node, x);
  const where = ctx.where(node);
  const ints = (i: number, name: string): number[] | undefined => {
    if (ctx.opset < 10) return readIntsAttr(node, name);
    const c = i === 1 || i === 2 ? requireConstInput(ctx, node, i, `the Slice ${name}`) : optionalConstInput(ctx, node, i, `the Slice ${name}`);
    return c ? readNumbers(c, where) : undefined;
  };
  const starts = ints(1, 'starts') ?? [];
  const ends = ints(2, 'ends') ?? [];
  const axes = ints(3, 'axes') ?? starts.map((_, i) => i);
  const steps = ints(4, 'steps') ?? starts.map(() => 1);
  const dims = [Number.NaN, channels, x.shape[0] as number, x.shape[1] as number];
  let range: [number, number] = [0, channels];
  axes.forEach((raw, i) => {
    const a = raw < 0 ? raw + 4 : raw;
    const dim = dims[a] ?? 0;
    const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
    const [s, e] = [clamp(starts[i] ?? 0), clamp(ends[i] ?? dim)];
    if (a === 1 && steps[i] === 1 && e > s) range = [s, e];
    else if (a === 0 && steps[i] === 1 && (starts[i] ?? 0) === 0 && (ends[i] ?? 0) >= 2 ** 31 - 1) return;
    else if (a !== 1 && a !== 0 && steps[i] === 1 && s === 0 && e === dim) return;
    else fail('UNSUPPORTED_OP', { expected: 'a Slice of a channel range with step 1 (other axes whole)', found: `axis ${raw}, start ${starts[i]}, end ${ends[i]}, step ${steps[i]}`, where, hint: 'only channel parts (CSP blocks) are imported; cut decoding tails with --outputs' });
  });
  if (range[0] === 0 && range[1] === channels) return x;
  return channelSlice(ctx, node, x, range[0], range[1] - range[0]);
}

/** Integer up-sampling factors [sh, sw] from scales [1, 1, sh, sw] or sizes [N, C, H·sh, W·sw]. */
function upFactors(ctx: ImportContext, node: OnnxNode, x: KerasValue): [number, number] {
  const where = ctx.where(node);
  const [h, w] = x.shape as [number, number];
  let scales: number[] | undefined;
  if (node.opType === 'Upsample') {
    const c = ctx.opset >= 9 ? requireConstInput(ctx, node, 1, 'the Upsample scales') : undefined;
    scales = c ? Array.from(readFloats(c, where)) : (node.attribute?.find((a) => a.name === 'scales')?.floats ?? []).map(Number);
  } else {
    const scaleIndex = ctx.opset < 11 ? 1 : 2;
    const sc = optionalConstInput(ctx, node, scaleIndex, 'the Resize scales');
    const sizes = ctx.opset >= 11 ? optionalConstInput(ctx, node, 3, 'the Resize sizes') : undefined;
    if (sc && sc.data.length > 0) scales = Array.from(readFloats(sc, where));
    else if (sizes) scales = readNumbers(sizes, where).map((s, i) => (i < 2 ? 1 : s / (i === 2 ? h : w)));
  }
  const [n, c, sh, sw] = scales ?? [];
  if (scales?.length !== 4 || n !== 1 || c !== 1 || !Number.isInteger(sh) || !Number.isInteger(sw) || (sh as number) < 1 || (sw as number) < 1) {
    fail('UNSUPPORTED_OP', { expected: 'up-sampling of H and W by integer factors (scales [1, 1, s, s])', found: `scales [${(scales ?? []).join(', ')}]`, where, hint: 'resize by whole factors (nn.Upsample(scale_factor=2)); other resizes are not imported' });
  }
  return [sh as number, sw as number];
}

/** Resize (opset 10+) and Upsample: nearest → UpSampling2D; linear → BilinearUpSampling2D (half-pixel) or UpSampling2D bilinear (asymmetric). */
export function convertResize(ctx: ImportContext, node: OnnxNode): KerasValue {
  const x = inputValue(ctx, node);
  imageChannels(ctx, node, x);
  const size = upFactors(ctx, node, x);
  const mode = readStringAttr(node, 'mode', 'nearest');
  const grid = ctx.opset < 11 || node.opType === 'Upsample' ? 'asymmetric' : readStringAttr(node, 'coordinate_transformation_mode', 'half_pixel');
  const rounding = ctx.opset < 11 || node.opType === 'Upsample' ? 'floor' : readStringAttr(node, 'nearest_mode', 'round_prefer_floor');
  const halfPixel = grid === 'half_pixel' || grid === 'pytorch_half_pixel';
  const config = { size, data_format: 'channels_last' };
  // With whole factors, nearest on the asymmetric grid with floor, or on the half-pixel grid with rounding, reads input floor(y / s).
  if (mode === 'nearest' && ((grid === 'asymmetric' && rounding === 'floor') || (halfPixel && rounding.startsWith('round')))) {
    return derive(x, ctx.layer(node, 'UpSampling2D', { ...config, interpolation: 'nearest' }, [x]), x.nonNegative);
  }
  if ((mode === 'linear' || mode === 'bilinear') && (halfPixel || grid === 'asymmetric') && readFloatAttr(node, 'extrapolation_value', 0) === 0) {
    return derive(x, ctx.layer(node, halfPixel ? 'BilinearUpSampling2D' : 'UpSampling2D', { ...config, interpolation: 'bilinear' }, [x]), x.nonNegative);
  }
  return fail('UNSUPPORTED_OP', {
    expected: 'nearest (asymmetric grid with floor, or half-pixel with rounding) or linear (half-pixel or asymmetric) up-sampling',
    found: `mode ${mode}, coordinate_transformation_mode ${grid}, nearest_mode ${rounding}`,
    where: ctx.where(node),
    hint: 'export with nn.Upsample(mode="nearest") or mode="bilinear", align_corners=False',
  });
}
