// Folds inference BatchNormalization into the convolution or Dense layer before it (pure: returns a new graph and weights).
import type { Graph, GraphNode, WeightEntry } from '../core/types.ts';

/** Layer kinds whose output channels can absorb a following BatchNormalization. */
const FOLDABLE: Record<string, string> = {
  Conv2D: 'kernel',
  DepthwiseConv2D: 'depthwise_kernel',
  SeparableConv2D: 'pointwise_kernel',
  Dense: 'kernel',
};

/** A graph with its weights by manifest name. */
export interface WeightedGraph {
  graph: Graph;
  weights: Map<string, WeightEntry>;
}

/** The result of folding: the new graph and which BatchNormalization layers went into which layer. */
export interface FoldResult extends WeightedGraph {
  folded: { bn: string; into: string }[];
}

/** Per-channel scale γ/√(σ²+ε) and shift β − μ·scale of a BatchNormalization layer. */
export function computeBatchNormAffine(node: GraphNode, get: (role: string) => Float32Array | undefined): { scale: Float32Array; shift: Float32Array } {
  const mean = get('moving_mean') as Float32Array;
  const variance = get('moving_variance') as Float32Array;
  const gamma = get('gamma');
  const beta = get('beta');
  const epsilon = typeof node.config['epsilon'] === 'number' ? node.config['epsilon'] : 1e-3;
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    const s = (gamma ? (gamma[c] as number) : 1) / Math.sqrt((variance[c] as number) + epsilon);
    scale[c] = s;
    shift[c] = (beta ? (beta[c] as number) : 0) - (mean[c] as number) * s;
  }
  return { scale, shift };
}

/** Can `bn` be folded into its single producer? */
function foldTarget(graph: Graph, bn: GraphNode, byName: Map<string, GraphNode>, readers: Map<string, number>): GraphNode | undefined {
  if (bn.className !== 'BatchNormalization' || bn.inputs.length !== 1) return undefined;
  const producer = byName.get(bn.inputs[0] as string);
  if (!producer || !FOLDABLE[producer.className]) return undefined;
  const activation = producer.config['activation'];
  if (activation !== undefined && activation !== null && activation !== 'linear') return undefined;
  if (readers.get(producer.name) !== 1 || graph.outputs.includes(producer.name)) return undefined;
  return producer;
}

/**
 * Fold every BatchNormalization that directly follows a Conv2D / DepthwiseConv2D / SeparableConv2D /
 * Dense with a linear activation and no other reader: kernel·scale per output channel, bias·scale + shift.
 * Other BatchNormalization layers stay. The input graph and weights are not modified.
 */
export function foldBatchNorm(graph: Graph, weights: ReadonlyMap<string, WeightEntry>): FoldResult {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const readers = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  const out = new Map(weights);
  const rename = new Map<string, string>();
  const replaced = new Map<string, GraphNode>();
  const folded: { bn: string; into: string }[] = [];
  for (const bn of graph.nodes) {
    const producer = foldTarget(graph, bn, byName, readers);
    if (!producer) continue;
    const { scale, shift } = computeBatchNormAffine(bn, (role) => weights.get(bn.weights[role] ?? '')?.data);
    const kernelRole = FOLDABLE[producer.className] as string;
    const kernel = weights.get(producer.weights[kernelRole] as string) as WeightEntry;
    const n = scale.length;
    const k = new Float32Array(kernel.data.length);
    for (let i = 0, c = 0; i < k.length; i++, c = c + 1 === n ? 0 : c + 1) k[i] = (kernel.data[i] as number) * (scale[c] as number);
    const biasName = producer.weights['bias'] ?? `${producer.name}/bias`;
    const oldBias = producer.weights['bias'] ? weights.get(producer.weights['bias'])?.data : undefined;
    const bias = Float32Array.from(shift, (s, c) => (oldBias ? (oldBias[c] as number) : 0) * (scale[c] as number) + s);
    out.set(kernel.name, { ...kernel, data: k });
    out.set(biasName, { name: biasName, shape: [n], dtype: 'float32', data: bias });
    replaced.set(producer.name, {
      ...producer,
      config: { ...producer.config, use_bias: true },
      weights: { ...producer.weights, bias: biasName },
      outputShape: bn.outputShape,
    });
    rename.set(bn.name, producer.name);
    for (const role of Object.values(bn.weights)) out.delete(role);
    folded.push({ bn: bn.name, into: producer.name });
  }
  const resolve = (name: string): string => rename.get(name) ?? name;
  const nodes = graph.nodes
    .filter((n) => !rename.has(n.name))
    .map((n) => {
      const base = replaced.get(n.name) ?? n;
      return { ...base, inputs: base.inputs.map(resolve) };
    });
  return { graph: { nodes, inputs: graph.inputs, outputs: graph.outputs.map(resolve) }, weights: out, folded };
}
