// FSCL (DESIGN.md §4): per channel, the energy of every producer-to-consumer path kernel through it.
import type { ChannelGroup, GraphNode, Member, WeightEntry } from '../core/types.ts';
import { indexNodes } from '../analyze/graph.ts';
import { addCentered, convolveFull, dotCentered, kernelAutocorrelations, zeroLag, type Lag2d } from './autocorrelation.ts';
import type { Criterion, ScoreContext } from './criterion.ts';

/** Kernel dims [kh, kw, cin, cout] of a conv kernel or a dense kernel (as 1×1). */
function kernelDims(w: WeightEntry): [number, number, number, number] {
  if (w.shape.length === 2) return [1, 1, w.shape[0] as number, w.shape[1] as number];
  return w.shape as [number, number, number, number];
}

/** Per-weight cache of autocorrelation sums, shared across groups in one scoring pass. */
class AutocorrelationCache {
  private readonly cache = new Map<string, ReturnType<typeof kernelAutocorrelations>>();
  constructor(private readonly weights: Map<string, WeightEntry>) {}

  get(name: string): ReturnType<typeof kernelAutocorrelations> {
    let entry = this.cache.get(name);
    if (!entry) {
      const w = this.weights.get(name) as WeightEntry;
      const [kh, kw, cin, cout] = kernelDims(w);
      entry = kernelAutocorrelations(w.data, kh, kw, cin, cout);
      this.cache.set(name, entry);
    }
    return entry;
  }

  /** One channel's slice (`byIn` or `byOut`) as a centered lag array. */
  slice(name: string, side: 'byIn' | 'byOut', index: number): Lag2d {
    const e = this.get(name);
    const lags = e.lagH * e.lagW;
    return { h: e.lagH, w: e.lagW, data: e[side].subarray(index * lags, (index + 1) * lags) };
  }
}

/** Layers by name, to find depthwise kernels on a path. */
type Nodes = Map<string, GraphNode>;

/** The depthwise kernel weight of a layer (separable or depthwise). */
function depthwiseOf(nodes: Nodes, layer: string): string | undefined {
  return nodes.get(layer)?.weights['depthwise_kernel'];
}

/** Σ_c R(Kp[:, :, c, i]) for one producer member (a separable layer's effective kernels included). */
function producerLag(member: Member, i: number, cache: AutocorrelationCache, nodes: Nodes, weights: Map<string, WeightEntry>): Lag2d {
  const index = member.offset + i;
  if (member.slot !== 'pointwise_kernel') return cache.slice(member.weight, 'byOut', index);
  const dw = depthwiseOf(nodes, member.layer) as string;
  const p = weights.get(member.weight) as WeightEntry;
  const [, , cin, cout] = kernelDims(p);
  const first = cache.slice(dw, 'byIn', 0);
  const out = zeroLag(first.h, first.w);
  for (let c = 0; c < cin; c++) {
    const v = p.data[c * cout + index] as number;
    addCentered(out, cache.slice(dw, 'byIn', c), v * v);
  }
  return out;
}

/** Σ_m R(path kernel after the channel) for one consumer member, depthwise layers on the way included. */
function consumerLag(member: Member, i: number, cache: AutocorrelationCache, nodes: Nodes): Lag2d {
  let lag: Lag2d | undefined;
  for (let r = 0; r < member.repeat; r++) {
    const s = cache.slice(member.weight, 'byIn', r * member.stride + member.offset + i);
    if (!lag) lag = { h: s.h, w: s.w, data: new Float64Array(s.data) };
    else addCentered(lag, s);
  }
  let out = lag as Lag2d;
  if (member.slot === 'pointwise_kernel') {
    const dw = depthwiseOf(nodes, member.layer) as string;
    const scale = out.data[0] as number;
    const d = cache.slice(dw, 'byIn', member.offset + i);
    out = { h: d.h, w: d.w, data: d.data.map((v) => v * scale) };
  }
  for (const via of member.via ?? []) {
    const name = depthwiseOf(nodes, via.layer);
    if (name) out = convolveFull(cache.slice(name, 'byIn', via.offset + i), out);
  }
  return out;
}

/** Sum lag arrays of different sizes into one (centers aligned). */
function sumLags(parts: Lag2d[]): Lag2d {
  const h = Math.max(1, ...parts.map((p) => p.h));
  const w = Math.max(1, ...parts.map((p) => p.w));
  const out = zeroLag(h, w);
  for (const p of parts) addCentered(out, p);
  return out;
}

/** Is this member a kernel on the FSCL path (not a bias, not the separable's own depthwise input)? */
const onPath = (m: Member): boolean => m.slot === 'kernel' || m.slot === 'pointwise_kernel';

/** Caches live for one model's scoring; keyed by the weights map. */
const caches = new WeakMap<Map<string, WeightEntry>, AutocorrelationCache>();

/**
 * FSCL(i) = sqrt( Σ_p Σ_q Σ_c Σ_m ‖Kp[:,:,c,i] ⊛ Kq[:,:,i,m]‖²_F ), computed exactly as
 * Σ_τ (Σ_p Σ_c R_p)(τ) · (Σ_q Σ_m R_q)(τ) with R the 2-D autocorrelation.
 */
export const fscl: Criterion = {
  name: 'fscl',
  description: 'filter similarity in consecutive layers: energy of producer ⊛ consumer path kernels (default)',
  scoreGroup(group: ChannelGroup, context: ScoreContext, weights: Map<string, WeightEntry>): Float64Array {
    let cache = caches.get(weights);
    if (!cache) {
      cache = new AutocorrelationCache(weights);
      caches.set(weights, cache);
    }
    const nodes = indexNodes(context.graph);
    const producers = group.members.filter((m) => m.role === 'producer' && onPath(m));
    const consumers = group.members.filter((m) => m.role === 'consumer' && onPath(m));
    const scores = new Float64Array(group.size);
    for (let i = 0; i < group.size; i++) {
      const a = sumLags(producers.map((m) => producerLag(m, i, cache, nodes, weights)));
      const b = sumLags(consumers.map((m) => consumerLag(m, i, cache, nodes)));
      scores[i] = Math.sqrt(Math.max(0, dotCentered(a, b)));
    }
    return scores;
  },
};
