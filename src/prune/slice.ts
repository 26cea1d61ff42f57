// Slicing of dense row-major tensors along several axes at once (keeps the listed indices).
import { sizeOf } from '../layers/shapes.ts';

/** Keep, on each axis, only the listed indices (undefined keeps the whole axis). */
export function sliceTensor(
  data: Float32Array,
  shape: readonly number[],
  keep: readonly (readonly number[] | undefined)[],
): { data: Float32Array; shape: number[] } {
  const rank = shape.length;
  const outShape = shape.map((d, a) => keep[a]?.length ?? d);
  const strides = new Array<number>(rank).fill(1);
  for (let a = rank - 2; a >= 0; a--) strides[a] = (strides[a + 1] as number) * (shape[a + 1] as number);
  const index = shape.map((d, a) => keep[a] ?? Array.from({ length: d }, (_, i) => i));
  const out = new Float32Array(sizeOf(outShape));
  let o = 0;
  const last = rank - 1;
  const walk = (axis: number, base: number): void => {
    const idx = index[axis] as readonly number[];
    const stride = strides[axis] as number;
    if (axis === last) {
      for (const i of idx) out[o++] = data[base + i * stride] as number;
      return;
    }
    for (const i of idx) walk(axis + 1, base + i * stride);
  };
  if (rank === 0) out[0] = data[0] as number;
  else walk(0, 0);
  return { data: out, shape: outShape };
}
