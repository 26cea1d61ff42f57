// Output-shape arithmetic for channels-last 2-D layers (Keras semantics for padding and stride).
import { fail } from '../core/errors.ts';

/** Output length of a sliding window over `size` positions. */
export function windowOutput(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: 'same' | 'valid',
): number {
  if (padding === 'same') return Math.ceil(size / stride);
  const span = (kernel - 1) * dilation + 1;
  return Math.floor((size - span) / stride) + 1;
}

/** Require a rank-3 `[H, W, C]` input for a 2-D layer. */
export function requireImage(shape: number[] | undefined, layer: string): [number, number, number] {
  if (!shape || shape.length !== 3) {
    fail('INVALID_MODEL', {
      expected: 'a rank-3 [height, width, channels] input',
      found: shape ? `shape [${shape.join(', ')}]` : 'no input',
      where: `layer "${layer}"`,
      hint: 'edge-prune supports 2-D convolutional networks in channels-last layout',
    });
  }
  return [shape[0] as number, shape[1] as number, shape[2] as number];
}

/** Spatial output of a 2-D window layer; fails when the window does not fit. */
export function windowShape(
  input: [number, number, number],
  kernel: [number, number],
  stride: [number, number],
  dilation: [number, number],
  padding: 'same' | 'valid',
  layer: string,
): [number, number] {
  const h = windowOutput(input[0], kernel[0], stride[0], dilation[0], padding);
  const w = windowOutput(input[1], kernel[1], stride[1], dilation[1], padding);
  if (h <= 0 || w <= 0) {
    fail('INVALID_MODEL', {
      expected: 'a window that fits its input',
      found: `input ${input[0]}×${input[1]}, window ${kernel[0]}×${kernel[1]} (padding ${padding})`,
      where: `layer "${layer}"`,
      hint: 'the model topology is inconsistent: check input sizes and paddings',
    });
  }
  return [h, w];
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
