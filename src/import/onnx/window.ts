// ONNX Conv/Pool window attributes (pads, auto_pad, strides, dilations, ceil_mode) as Keras padding choices.
import { fail } from '../../core/errors.ts';
import { computeSamePads } from '../../export/kernels.ts';
import { readIntAttr, readIntsAttr, readStringAttr } from './onnx-file.ts';
import type { ImportContext, OnnxNode } from './import-context.ts';

/** How a window op maps onto Keras: 'same' or 'valid', with an explicit ZeroPadding2D before it when needed. */
export interface WindowPlan {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  padding: 'same' | 'valid';
  /** The source's pads as [[top, bottom], [left, right]]. */
  pads: [[number, number], [number, number]];
  /** [[top, bottom], [left, right]] for a ZeroPadding2D before a 'valid' window. */
  zeroPad?: [[number, number], [number, number]];
}

/** A 2-element int attribute (or the default), with a typed error for other ranks. */
function readPairAttr(ctx: ImportContext, node: OnnxNode, name: string, fallback: number): [number, number] {
  const v = readIntsAttr(node, name) ?? [fallback, fallback];
  if (v.length !== 2 || v.some((x) => !Number.isInteger(x) || x < 1)) {
    fail('UNSUPPORTED_OP', { expected: `a 2-D window (${name} of two positive integers)`, found: `${name} [${v.join(', ')}]`, where: ctx.where(node), hint: 'only 2-D convolutions and pools over images are imported' });
  }
  return [v[0] as number, v[1] as number];
}

/**
 * Padding to add at the end so a floor-mode window yields the ceil-mode output (PyTorch's rule: the
 * last window must start inside the input or the leading padding).
 */
function ceilExtra(size: number, k: number, s: number, d: number, before: number, after: number): number {
  const span = (k - 1) * d + 1;
  const floorOut = Math.floor((size + before + after - span) / s) + 1;
  let ceilOut = Math.ceil((size + before + after - span) / s) + 1;
  if ((ceilOut - 1) * s >= size + before) ceilOut--;
  return ceilOut > floorOut ? (ceilOut - 1) * s + span - (size + before + after) : 0;
}

/**
 * Plan the Keras form of a Conv/MaxPool/AveragePool window over an [H, W, C] input. With
 * `ceilByPadding` (max pooling), ceil_mode becomes extra padding at the end; otherwise a ceil_mode
 * that adds a partial window is UNSUPPORTED_OP.
 */
export function planWindow(ctx: ImportContext, node: OnnxNode, input: readonly number[], kernel: [number, number], options: { ceilByPadding?: boolean } = {}): WindowPlan {
  const [h, w] = input as [number, number];
  const strides = readPairAttr(ctx, node, 'strides', 1);
  const dilations = readPairAttr(ctx, node, 'dilations', 1);
  const autoPad = readStringAttr(node, 'auto_pad', 'NOTSET');
  const same = [computeSamePads(h, kernel[0], strides[0], dilations[0]), computeSamePads(w, kernel[1], strides[1], dilations[1])] as const;
  let pads = readIntsAttr(node, 'pads') ?? [0, 0, 0, 0];
  if (autoPad === 'SAME_UPPER') pads = [same[0][0], same[1][0], same[0][1], same[1][1]];
  else if (autoPad === 'SAME_LOWER') pads = [same[0][1], same[1][1], same[0][0], same[1][0]];
  else if (autoPad === 'VALID') pads = [0, 0, 0, 0];
  if (pads.length !== 4 || pads.some((p) => !Number.isInteger(p) || p < 0)) {
    fail('UNSUPPORTED_OP', { expected: 'four non-negative pads [top, left, bottom, right]', found: `pads [${pads.join(', ')}]`, where: ctx.where(node), hint: 'only 2-D windows with non-negative padding are imported' });
  }
  const [top, left] = pads as [number, number, number, number];
  let [, , bottom, right] = pads as [number, number, number, number];
  if (readIntAttr(node, 'ceil_mode', 0) === 1) {
    const extraH = ceilExtra(h, kernel[0], strides[0], dilations[0], top, bottom);
    const extraW = ceilExtra(w, kernel[1], strides[1], dilations[1], left, right);
    if ((extraH > 0 || extraW > 0) && !options.ceilByPadding) {
      fail('UNSUPPORTED_OP', { expected: 'ceil_mode 0 (or a window where ceil and floor agree)', found: 'ceil_mode 1 adding a partial window', where: ctx.where(node), hint: 'export with ceil_mode=False or pick an input size the window divides' });
    }
    bottom += extraH;
    right += extraW;
  }
  const plan: WindowPlan = { kernel, strides, dilations, padding: 'valid', pads: [[top, bottom], [left, right]] };
  if (top + left + bottom + right === 0) return plan;
  if (top === same[0][0] && bottom === same[0][1] && left === same[1][0] && right === same[1][1]) return { ...plan, padding: 'same' };
  return { ...plan, zeroPad: [[top, bottom], [left, right]] };
}
