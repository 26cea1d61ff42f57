// applyPlan: the pure surgery that removes a plan's channels from every member of every group.
import type { ChannelGroup, JsonObject, Member, ModelBundle, PrunePlan } from '../core/types.ts';
import { parseTopology } from '../analyze/topology.ts';
import { sliceTensor } from './slice.ts';
import { validatePlan } from './validate-plan.ts';

/** Indices a member's axis loses when its group drops `drop`. */
function memberIndices(member: Member, drop: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < member.repeat; r++) for (const i of drop) out.push(r * member.stride + member.offset + i);
  return out;
}

/** Per weight and axis, the indices to remove; per layer config field, how many channels go. */
function collectCuts(groups: Map<string, ChannelGroup>, plan: PrunePlan) {
  const weightCuts = new Map<string, Map<number, Set<number>>>();
  const configCuts = new Map<string, { field: string; axis: number; count: number }[]>();
  for (const entry of plan.groups) {
    if (entry.drop.length === 0) continue;
    const group = groups.get(entry.id) as ChannelGroup;
    for (const member of group.members) {
      if (member.role === 'config') {
        const list = configCuts.get(member.layer) ?? [];
        list.push({ field: member.weight, axis: member.axis, count: entry.drop.length });
        configCuts.set(member.layer, list);
        continue;
      }
      const axes = weightCuts.get(member.weight) ?? new Map<number, Set<number>>();
      const set = axes.get(member.axis) ?? new Set<number>();
      for (const i of memberIndices(member, entry.drop)) set.add(i);
      axes.set(member.axis, set);
      weightCuts.set(member.weight, axes);
    }
  }
  return { weightCuts, configCuts };
}

/** The layer config objects of a (cloned) topology by layer name. */
function layerConfigs(topology: JsonObject): Map<string, JsonObject> {
  const configs = new Map<string, JsonObject>();
  const modelConfig = (topology['model_config'] ?? topology) as JsonObject;
  const inner = modelConfig['config'];
  const list = (Array.isArray(inner) ? inner : (inner as JsonObject)['layers']) as JsonObject[];
  for (const layer of list) {
    const config = layer['config'] as JsonObject;
    const name = (layer['name'] ?? config['name']) as string;
    configs.set(name, config);
  }
  return configs;
}

/** Per axis of a weight of `shape`, the kept indices (undefined: the whole axis), or undefined when nothing is cut. */
function keptOf(shape: readonly number[], cuts: Map<number, Set<number>> | undefined): (number[] | undefined)[] | undefined {
  if (!cuts) return undefined;
  return shape.map((d, axis) => {
    const cut = cuts.get(axis);
    return cut ? Array.from({ length: d }, (_, i) => i).filter((i) => !cut.has(i)) : undefined;
  });
}

/**
 * The indices a plan keeps on every axis of every weight of `bundle` (undefined on an axis: all of
 * it), by manifest name; weights the plan leaves whole are absent. Reconstruction uses it to map a
 * pruned layer's channels back to the unpruned layer's.
 */
export function keptIndices(bundle: ModelBundle, groups: readonly ChannelGroup[], plan: PrunePlan): Map<string, (number[] | undefined)[]> {
  const { weightCuts } = collectCuts(validatePlan(groups, plan), plan);
  const out = new Map<string, (number[] | undefined)[]>();
  for (const w of bundle.weights) {
    const keep = keptOf(w.shape, weightCuts.get(w.name));
    if (keep) out.set(w.name, keep);
  }
  return out;
}

/**
 * Apply a plan: every member of every planned group loses the dropped channel indices, and layer
 * configs (filters, units, reshape targets) shrink to match. Pure: the input bundle is not changed;
 * an empty plan returns equal weights.
 */
export function applyPlan(bundle: ModelBundle, groups: readonly ChannelGroup[], plan: PrunePlan): ModelBundle {
  const byId = validatePlan(groups, plan);
  parseTopology(bundle.topology);
  const { weightCuts, configCuts } = collectCuts(byId, plan);
  const weights = bundle.weights.map((w) => {
    const keep = keptOf(w.shape, weightCuts.get(w.name));
    if (!keep) return { ...w, shape: [...w.shape], data: new Float32Array(w.data) };
    const sliced = sliceTensor(w.data, w.shape, keep);
    return { name: w.name, dtype: w.dtype, shape: sliced.shape, data: sliced.data };
  });
  const topology = structuredClone(bundle.topology);
  const configs = layerConfigs(topology);
  for (const [layer, cuts] of configCuts) {
    const config = configs.get(layer);
    if (!config) continue;
    for (const { field, axis, count } of cuts) {
      if (axis < 0) config[field] = (config[field] as number) - count;
      else (config[field] as number[])[axis] = ((config[field] as number[])[axis] as number) - count;
    }
  }
  return { topology, weights, meta: structuredClone(bundle.meta) };
}
