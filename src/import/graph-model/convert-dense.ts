// Detector and dense-prediction ops of a graph model: Split/SplitV/Slice/StridedSlice on the channel axis → ChannelSlice, ResizeNearestNeighbor/ResizeBilinear by whole factors → up-sampling layers.
import type { LayerRecord } from '../keras-builder.ts';
import { readBoolAttr, readIntAttr, unsupported } from './attrs.ts';
import { channelsOf, type ConvertContext, type GraphValue } from './convert-context.ts';

/** Largest end TF writes for "to the end" of an axis. */
const OPEN_END = 2 ** 30;

/** The hint of every refused slice: what is imported and how to cut the rest away. */
const SLICE_HINT = 'only channel parts of a feature map (C2f/CSP splits) are imported; cut decoding tails with --outputs <node,...>';

/** A ChannelSlice of channels [begin, begin + size) of `x` (the value itself when that is every channel). */
function channelSlice(ctx: ConvertContext, x: LayerRecord, begin: number, size: number, name = ctx.node.name): LayerRecord {
  if (begin === 0 && size === channelsOf(x)) return x;
  return ctx.state.builder.add('ChannelSlice', name, { begin, size }, [x]);
}

/** A constant axis (input `i`) resolved against the value's rank (batch included); UNSUPPORTED_OP unless it is the channel axis. */
function requireChannelAxis(ctx: ConvertContext, x: LayerRecord, i: number): void {
  const rank = x.outputShape.length + 1;
  const raw = ctx.constInput(i).data[0] ?? 0;
  if ((raw < 0 ? raw + rank : raw) !== rank - 1) unsupported(ctx.node, `${ctx.node.op} on the channel axis (${rank - 1})`, `axis ${raw}`, SLICE_HINT);
}

/** One ChannelSlice per part; parts after the first are stored as `name:i` for their readers. */
function splitParts(ctx: ConvertContext, x: LayerRecord, sizes: number[]): GraphValue {
  const channels = channelsOf(x);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1) || sizes.reduce((a, b) => a + b, 0) !== channels) {
    unsupported(ctx.node, `positive parts summing to ${channels} channels`, `parts [${sizes.join(', ')}]`, SLICE_HINT);
  }
  let begin = 0;
  const parts = sizes.map((size, i) => {
    const part = channelSlice(ctx, x, begin, size, `${ctx.node.name}_${i}`);
    begin += size;
    return part;
  });
  parts.forEach((record, i) => { if (i > 0) ctx.state.values.set(`${ctx.node.name}:${i}`, { kind: 'layer', record }); });
  return { kind: 'layer', record: parts[0] as LayerRecord };
}

/** Split(axis, value) into num_split equal parts. */
export function convertSplit(ctx: ConvertContext): GraphValue {
  const x = ctx.layerInput(1);
  requireChannelAxis(ctx, x, 0);
  const n = readIntAttr(ctx.node, 'num_split', 1);
  return splitParts(ctx, x, new Array<number>(Math.max(1, n)).fill(channelsOf(x) / Math.max(1, n)));
}

/** SplitV(value, size_splits, axis); one size may be -1 (the rest). */
export function convertSplitV(ctx: ConvertContext): GraphValue {
  const x = ctx.layerInput(0);
  requireChannelAxis(ctx, x, 2);
  const sizes = [...ctx.constInput(1).data];
  const known = sizes.filter((s) => s !== -1).reduce((a, b) => a + b, 0);
  return splitParts(ctx, x, sizes.map((s) => (s === -1 ? channelsOf(x) - known : s)));
}

/** Per-axis [begin, end) ranges (batch axis included) → the channel range; other axes must be whole. */
function channelRange(ctx: ConvertContext, x: LayerRecord, ranges: { begin: number; end: number; open: boolean }[]): GraphValue {
  const dims = [Number.NaN, ...x.outputShape];
  let range: [number, number] = [0, channelsOf(x)];
  ranges.forEach(({ begin, end, open }, a) => {
    const dim = dims[a] as number;
    if (a === 0) {
      if (begin === 0 && (open || end >= OPEN_END)) return;
      unsupported(ctx.node, 'a slice that keeps the whole batch axis', `batch range [${begin}, ${end})`, SLICE_HINT);
    }
    const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
    const [b, e] = [clamp(begin), open ? dim : clamp(end)];
    if (a === dims.length - 1 && e > b) range = [b, e];
    else if (b !== 0 || e !== dim) unsupported(ctx.node, 'a slice of a channel range (other axes whole)', `axis ${a}: [${begin}, ${end})`, SLICE_HINT);
  });
  return { kind: 'layer', record: channelSlice(ctx, x, range[0], range[1] - range[0]) };
}

/** Slice(x, begin, size): size -1 means to the end. */
export function convertSlice(ctx: ConvertContext): GraphValue {
  const x = ctx.layerInput(0);
  const begin = [...ctx.constInput(1).data];
  const size = [...ctx.constInput(2).data];
  return channelRange(ctx, x, begin.map((b, a) => ({ begin: b, end: b + (size[a] ?? -1), open: (size[a] ?? -1) === -1 })));
}

/** StridedSlice(x, begin, end, strides) with strides 1, begin/end masks and at most an ellipsis (no new or shrunk axes). */
export function convertStridedSlice(ctx: ConvertContext): GraphValue {
  const x = ctx.layerInput(0);
  const rank = x.outputShape.length + 1;
  const [begin, end, strides] = [1, 2, 3].map((i) => [...ctx.constInput(i).data]) as [number[], number[], number[]];
  const mask = (key: string): number => readIntAttr(ctx.node, key, 0);
  if (mask('new_axis_mask') !== 0 || mask('shrink_axis_mask') !== 0 || strides.some((s) => s !== 1)) {
    unsupported(ctx.node, 'a StridedSlice with strides 1 and no new or shrunk axes', `strides [${strides.join(', ')}], new_axis_mask ${mask('new_axis_mask')}, shrink_axis_mask ${mask('shrink_axis_mask')}`, SLICE_HINT);
  }
  const ranges: { begin: number; end: number; open: boolean }[] = [];
  const whole = { begin: 0, end: 0, open: true };
  begin.forEach((b, i) => {
    const bit = 1 << i;
    if (mask('ellipsis_mask') & bit) {
      for (let k = 0; k < rank - (begin.length - 1); k++) ranges.push(whole);
      return;
    }
    ranges.push({ begin: mask('begin_mask') & bit ? 0 : b, end: end[i] ?? 0, open: (mask('end_mask') & bit) !== 0 });
  });
  while (ranges.length < rank) ranges.push(whole);
  if (ranges.length !== rank) unsupported(ctx.node, `a StridedSlice over at most ${rank} axes`, `${ranges.length} axes`, SLICE_HINT);
  return channelRange(ctx, x, ranges);
}

/** ResizeNearestNeighbor / ResizeBilinear to whole multiples of H and W (align_corners false). */
export function convertResize(ctx: ConvertContext): GraphValue {
  const x = ctx.layerInput(0);
  const [h, w] = x.outputShape as [number, number];
  const [oh, ow] = [...ctx.constInput(1).data] as [number, number];
  const size = [oh / h, ow / w];
  if (x.outputShape.length !== 3 || size.some((s) => !Number.isInteger(s) || s < 1) || readBoolAttr(ctx.node, 'align_corners', false)) {
    unsupported(ctx.node, 'up-sampling of H and W by whole factors with align_corners false', `[${h}, ${w}] → [${oh}, ${ow}], align_corners ${readBoolAttr(ctx.node, 'align_corners', false)}`, 'resize by whole factors (UpSampling2D, nn.Upsample(scale_factor=2)); other resizes are not imported');
  }
  const config = { size, data_format: 'channels_last' };
  // With whole factors nearest reads input floor(y / s) on either grid; bilinear differs: half-pixel centres are PyTorch's align_corners=False.
  if (ctx.node.op === 'ResizeNearestNeighbor') return { kind: 'layer', record: ctx.add('UpSampling2D', { ...config, interpolation: 'nearest' }, [x]) };
  const halfPixel = readBoolAttr(ctx.node, 'half_pixel_centers', false);
  return { kind: 'layer', record: ctx.add(halfPixel ? 'BilinearUpSampling2D' : 'UpSampling2D', { ...config, interpolation: 'bilinear' }, [x]) };
}
