// The graph a TF.js graph-model bundle runs: BatchNormalization folded, activations fused into conv/dense (graph → graph).
import type { Graph, GraphNode } from '../core/types.ts';
import type { EXPORT_FORMATS } from '../core/schemas.ts';

/** Layers a directly following BatchNormalization folds into (src/export/fold-bn.ts). */
const FOLDS_INTO = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense']);

/**
 * Activations tfjs-converter's fused ops (_FusedConv2D, FusedDepthwiseConv2dNative, _FusedMatMul)
 * run inside the kernel's output loop, as src/export/graph-model.ts `fuseOps` writes them.
 */
const TFJS_FUSED = new Set(['relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu']);

/** Config key the deployed graph records a fused activation under (the latency model costs it as free). */
export const FUSED_ACTIVATION = 'fused_activation';

/** The activation function a standalone activation layer computes as one fusable TF op, if any. */
function fusableFunction(node: GraphNode): string | undefined {
  const c = node.config;
  if (node.className === 'Activation') {
    const fn = typeof c['activation'] === 'string' ? c['activation'].toLowerCase() : '';
    return TFJS_FUSED.has(fn) ? fn : undefined;
  }
  if (node.className === 'ReLU') {
    const slope = typeof c['negative_slope'] === 'number' ? c['negative_slope'] : 0;
    const threshold = typeof c['threshold'] === 'number' ? c['threshold'] : 0;
    const max = c['max_value'];
    if (threshold !== 0) return undefined;
    if (slope === 0 && (max === undefined || max === null)) return 'relu';
    if (slope === 0 && max === 6) return 'relu6';
    return max === undefined || max === null ? 'leakyrelu' : undefined;
  }
  if (node.className === 'LeakyReLU') return 'leakyrelu';
  if (node.className === 'ELU') return (typeof c['alpha'] === 'number' ? c['alpha'] : 1) === 1 ? 'elu' : undefined;
  return undefined;
}

/** Is a producer's own activation linear (nothing applied after its bias)? */
function isLinear(node: GraphNode): boolean {
  const act = node.config['activation'];
  return act === undefined || act === null || act === 'linear';
}

/** Whether an export format is a TF.js graph model (BN folded, activations fused). */
export function isGraphModelFormat(format: (typeof EXPORT_FORMATS)[number] | undefined): boolean {
  return format === 'tfjs-graph';
}

/**
 * The graph that a TF.js graph-model export of `graph` executes, for costing: a BatchNormalization
 * that directly follows a Conv2D / DepthwiseConv2D / SeparableConv2D / Dense (linear, read by the BN
 * alone, not a model output) is removed and the producer gains a bias; then an activation tfjs fuses
 * (ReLU, ReLU6, ELU, sigmoid, LeakyReLU; a standalone layer or the producer's own `activation`) that
 * follows such a producer with a bias moves into it as `fused_activation` (its `activation` becomes
 * linear). Readers and outputs are rewired to the producer. Pure: the input graph is not modified.
 */
export function deployedGraph(graph: Graph): Graph {
  const nodes = graph.nodes.map((n) => ({ ...n, config: { ...n.config }, weights: { ...n.weights }, inputs: [...n.inputs] }));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const outputs = [...graph.outputs];
  const removed = new Set<string>();
  const readersOf = (name: string): GraphNode[] => nodes.filter((n) => !removed.has(n.name) && n.inputs.includes(name));
  const soleReader = (name: string): boolean => readersOf(name).length === 1 && !outputs.includes(name);
  /** Remove `node` (one input) and let its readers and the outputs read `into` instead. */
  const absorb = (node: GraphNode, into: GraphNode): void => {
    removed.add(node.name);
    for (const r of readersOf(node.name)) r.inputs = r.inputs.map((i) => (i === node.name ? into.name : i));
    for (let i = 0; i < outputs.length; i++) if (outputs[i] === node.name) outputs[i] = into.name;
  };
  const hasBias = (p: GraphNode): boolean => 'bias' in p.weights;
  for (const node of nodes) {
    if (node.inputs.length !== 1) continue;
    const producer = byName.get(node.inputs[0] as string);
    if (!producer || !FOLDS_INTO.has(producer.className) || producer.config[FUSED_ACTIVATION] !== undefined) continue;
    if (node.className === 'BatchNormalization' && isLinear(producer) && soleReader(producer.name)) {
      if (!hasBias(producer)) {
        producer.weights['bias'] = `${producer.name}/bias`;
        producer.config['use_bias'] = true;
      }
      absorb(node, producer);
      continue;
    }
    const fn = fusableFunction(node);
    if (fn && isLinear(producer) && hasBias(producer) && soleReader(producer.name)) {
      producer.config[FUSED_ACTIVATION] = fn;
      absorb(node, producer);
    }
  }
  for (const node of nodes) {
    if (!FOLDS_INTO.has(node.className) || node.config[FUSED_ACTIVATION] !== undefined || !hasBias(node)) continue;
    const act = typeof node.config['activation'] === 'string' ? node.config['activation'].toLowerCase() : '';
    if (TFJS_FUSED.has(act)) {
      node.config[FUSED_ACTIVATION] = act;
      node.config['activation'] = 'linear';
    }
  }
  return { nodes: nodes.filter((n) => !removed.has(n.name)), inputs: [...graph.inputs], outputs };
}
