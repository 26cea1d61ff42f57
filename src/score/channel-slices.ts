// Access to one channel's weights along a member's axis (producer filters, BN vectors).
import type { Member, WeightEntry } from '../core/types.ts';

/** Row-major strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let a = shape.length - 2; a >= 0; a--) strides[a] = (strides[a + 1] as number) * (shape[a + 1] as number);
  return strides;
}

/** Every value of a weight at index `index` of `axis`, as a new vector. */
export function sliceAxis(w: WeightEntry, axis: number, index: number): Float64Array {
  const shape = w.shape;
  const strides = stridesOf(shape);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = strides[axis] as number;
  const dim = shape[axis] as number;
  const out = new Float64Array(outer * inner);
  let k = 0;
  for (let o = 0; o < outer; o++) {
    const base = o * dim * inner + index * inner;
    for (let j = 0; j < inner; j++) out[k++] = w.data[base + j] as number;
  }
  return out;
}

/** The filter of group channel `i` in a producer member (all its weights along the output axis). */
export function channelVector(member: Member, w: WeightEntry, i: number): Float64Array {
  if (member.repeat === 1) return sliceAxis(w, member.axis, member.offset + i);
  const parts: Float64Array[] = [];
  for (let r = 0; r < member.repeat; r++) parts.push(sliceAxis(w, member.axis, r * member.stride + member.offset + i));
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}
