// Slow, literal evaluation of DESIGN.md §4's FSCL formula (full 2-D convolutions of every path), as a test oracle.
import assert from 'node:assert/strict';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import type { ChannelGroup, Graph, Member, ModelBundle, WeightEntry } from '../../src/core/types.ts';
import { scoreModel } from '../../src/score/score-model.ts';
import { ensureFixture, type FixtureName } from '../fixtures/build-fixtures.ts';

/** A 2-D kernel as rows × cols. */
interface K2 {
  h: number;
  w: number;
  v: Float64Array;
}

/** Full 2-D convolution. */
function conv(a: K2, b: K2): K2 {
  const out: K2 = { h: a.h + b.h - 1, w: a.w + b.w - 1, v: new Float64Array((a.h + b.h - 1) * (a.w + b.w - 1)) };
  for (let y = 0; y < a.h; y++) for (let x = 0; x < a.w; x++) for (let v = 0; v < b.h; v++) for (let u = 0; u < b.w; u++) {
    out.v[(y + v) * out.w + x + u] = (out.v[(y + v) * out.w + x + u] as number) + (a.v[y * a.w + x] as number) * (b.v[v * b.w + u] as number);
  }
  return out;
}

/** Squared Frobenius norm. */
const energy = (k: K2): number => k.v.reduce((s, x) => s + x * x, 0);

/** Slice K[:, :, c, m] of a [kh, kw, cin, cout] kernel (a dense [in, out] kernel is 1×1). */
function slice2d(w: WeightEntry, c: number, m: number): K2 {
  const [kh, kw, cin, cout] = w.shape.length === 2 ? [1, 1, w.shape[0] as number, w.shape[1] as number] : (w.shape as number[]);
  const v = new Float64Array((kh as number) * (kw as number));
  for (let t = 0; t < v.length; t++) v[t] = w.data[(t * (cin as number) + c) * (cout as number) + m] as number;
  return { h: kh as number, w: kw as number, v };
}

/** Scale a kernel. */
const scaled = (k: K2, s: number): K2 => ({ h: k.h, w: k.w, v: k.v.map((x) => x * s) });

/** Producer kernels Kp[:, :, c, i] for every input c (a separable layer's effective D_c · P[c, i]). */
function producerKernels(m: Member, i: number, weights: Map<string, WeightEntry>, graph: Graph): K2[] {
  const w = weights.get(m.weight) as WeightEntry;
  const cin = w.shape.length === 2 ? (w.shape[0] as number) : (w.shape[2] as number);
  const idx = m.offset + i;
  if (m.slot === 'pointwise_kernel') {
    const d = weights.get(graph.nodes.find((n) => n.name === m.layer)?.weights['depthwise_kernel'] as string) as WeightEntry;
    return Array.from({ length: cin }, (_, c) => scaled(slice2d(d, c, 0), slice2d(w, c, idx).v[0] as number));
  }
  return Array.from({ length: cin }, (_, c) => slice2d(w, c, idx));
}

/** Consumer kernels (depthwise layers on the way convolved in) for every output m. */
function consumerKernels(m: Member, i: number, weights: Map<string, WeightEntry>, graph: Graph): K2[] {
  const w = weights.get(m.weight) as WeightEntry;
  const cout = w.shape[w.shape.length - 1] as number;
  const out: K2[] = [];
  const dwOf = (layer: string): WeightEntry => weights.get(graph.nodes.find((n) => n.name === layer)?.weights['depthwise_kernel'] as string) as WeightEntry;
  for (let r = 0; r < m.repeat; r++) {
    const row = r * m.stride + m.offset + i;
    for (let o = 0; o < cout; o++) {
      let k = slice2d(w, row, o);
      if (m.slot === 'pointwise_kernel') k = scaled(slice2d(dwOf(m.layer), row, 0), k.v[0] as number);
      for (const via of m.via ?? []) k = conv(slice2d(dwOf(via.layer), via.offset + i, 0), k);
      out.push(k);
    }
  }
  return out;
}

/** FSCL(i) by the literal formula: sqrt(Σ_p Σ_q Σ_c Σ_m ‖Kp_c ⊛ Kq_m‖²). */
export function fsclDirect(bundle: ModelBundle, graph: Graph, group: ChannelGroup, i: number): number {
  const weights = new Map(bundle.weights.map((w) => [w.name, w]));
  const onPath = (m: Member): boolean => m.slot === 'kernel' || m.slot === 'pointwise_kernel';
  let total = 0;
  for (const p of group.members.filter((m) => m.role === 'producer' && onPath(m))) {
    const ps = producerKernels(p, i, weights, graph);
    for (const q of group.members.filter((m) => m.role === 'consumer' && onPath(m))) {
      const qs = consumerKernels(q, i, weights, graph);
      for (const a of ps) for (const b of qs) total += energy(conv(a, b));
    }
  }
  return Math.sqrt(total);
}

/** The fast FSCL scores of a fixture equal the literal formula on up to three channels of every scored group. */
export async function assertFastFsclMatchesDirect(name: FixtureName): Promise<void> {
  const bundle = await readBundle(await ensureFixture(name));
  const { graph, groups } = analyzeModel(bundle);
  const scores = scoreModel('fscl', { bundle, graph, groups, seed: 0 });
  let checked = 0;
  for (const entry of scores.groups) {
    const group = groups.find((g) => g.id === entry.id);
    assert.ok(group);
    assert.equal(entry.scores.length, group.size);
    assert.ok(entry.scores.every((s) => Number.isFinite(s) && s >= 0), `${entry.id}: finite, non-negative scores`);
    const sample = group.size <= 4 ? entry.scores.map((_, i) => i) : [0, Math.floor(group.size / 2), group.size - 1];
    for (const i of sample) {
      const direct = fsclDirect(bundle, graph, group, i);
      const fast = entry.scores[i] as number;
      assert.ok(Math.abs(direct - fast) <= 1e-9 * Math.max(1, direct), `${name} ${entry.id}[${i}]: direct ${direct} vs fast ${fast}`);
      checked++;
    }
  }
  assert.ok(checked > 0, 'at least one channel was checked');
}
