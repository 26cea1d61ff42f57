// What each layer of a graph asks of the hardware (op kinds, work, bytes): a generic loop over each layer's rule cost in LAYER_RULES.
import type { Graph, GraphNode } from '../core/types.ts';
import type { Fusion, LayerOp, LayerRule } from '../layers/rule-types.ts';
import { channelKindOf, findRule } from '../layers/rules.ts';
import { sizeOf } from '../layers/shapes.ts';

export type { Fusion, LayerOp } from '../layers/rule-types.ts';

/** Bytes per float32 element: activations run in float32 on every runtime modelled here. */
export const FLOAT_BYTES = 4;

/**
 * An op's work on a runtime whose conv kernels pad channels to `block` (NCHWc): output channels
 * round up to a multiple of the block, input channels too once they reach one block (a first conv
 * on 3 input channels reads them unpadded). Other ops, and block 1, keep their work.
 */
export function paddedWork(op: LayerOp, block: number): number {
  if (block <= 1 || !op.channels) return op.work;
  const up = (c: number): number => Math.ceil(c / block) * block;
  const { in: cin, out: cout } = op.channels;
  if (cin <= 0 || cout <= 0) return op.work;
  const inScale = op.kind === 'depthwise' || cin < block ? 1 : up(cin) / cin;
  return op.work * inScale * (up(cout) / cout);
}

/** The work of one layer at batch 1. */
export interface LayerWork {
  name: string;
  className: string;
  /** Empty for layers that run no kernel (InputLayer, Flatten, Reshape, Dropout at inference). */
  ops: LayerOp[];
  /** Multiply-accumulates (0 for layers without them). */
  macs: number;
  /** Weight elements the layer reads, BN moving statistics included. */
  weightElements: number;
  /** Activation and weight bytes the layer moves: inputs read + output written + weights read (float32). */
  bytes: number;
  /** False for the model's input (its rule's channels are `input`): it is not executed, so it gets no per-layer overhead. */
  executed: boolean;
  /**
   * Set when the whole layer can be fused into the conv or dense layer before it (a BatchNormalization
   * right after one, or an activation right after one or after such a BatchNormalization); runtimes
   * whose profile lists the fusion run no separate kernel for it.
   */
  fusable?: Fusion;
}

/** Activation functions graph optimizers fuse into a conv (ONNX Runtime: Relu, Clip, Sigmoid, Tanh, LeakyRelu, HardSigmoid). */
const FUSABLE_ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'hard_sigmoid']);

/** Which whole layers can fuse into the conv or dense layer before them (rules' `fusionHost` and `fusesAs`). */
function findFusable(graph: Graph): Map<string, Fusion> {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const readers = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  const out = new Map<string, Fusion>();
  const soleReaderOf = (name: string): boolean => readers.get(name) === 1 && !graph.outputs.includes(name);
  const linearHost = (name: string): boolean => {
    const p = byName.get(name);
    const act = p?.config['activation'];
    return !!p && findRule(p.className)?.cost.fusionHost === true && (act === undefined || act === null || act === 'linear') && soleReaderOf(name);
  };
  for (const node of graph.nodes) {
    const input = node.inputs.length === 1 ? (node.inputs[0] as string) : undefined;
    const as = input === undefined ? undefined : findRule(node.className)?.cost.fusesAs?.(node.config);
    if (!input || !as) continue;
    if (as.fusion === 'batchnorm' && linearHost(input)) out.set(node.name, 'batchnorm');
    if (as.fusion === 'activation' && typeof as.fn === 'string' && FUSABLE_ACTIVATIONS.has(as.fn) && (linearHost(input) || (out.get(input) === 'batchnorm' && soleReaderOf(input)))) {
      out.set(node.name, 'activation');
    }
  }
  return out;
}

/** A class without a rule (a layer kept by --lock-unknown): assumed one elementwise pass over its output. */
function unknownOps(node: GraphNode): LayerOp[] {
  return [{ kind: 'elementwise', work: sizeOf(node.outputShape) }];
}

/** The ops of one layer, from its rule's cost. */
function opsOf(node: GraphNode, rule: LayerRule | undefined, inputs: number[][], macs: number): LayerOp[] {
  if (!rule) return unknownOps(node);
  return rule.cost.ops({ inputs, output: node.outputShape, config: node.config, layer: node.name, macs });
}

/** Weight elements of a layer from its rule's weight shapes (graph only, no bundle needed). */
function weightElementsOf(node: GraphNode, rule: LayerRule | undefined, inputs: number[][]): number {
  if (!rule?.weightShape) return 0;
  let n = 0;
  for (const slot of Object.keys(node.weights)) n += sizeOf(rule.weightShape(slot, inputs, node.config, node.name));
  return n;
}

/** The work of every layer of a graph, in graph order: each layer's rule (LAYER_RULES) gives its MACs, weight shapes and cost. */
export function describeWork(graph: Graph): LayerWork[] {
  const shapes = new Map(graph.nodes.map((n) => [n.name, n.outputShape]));
  const fusable = findFusable(graph);
  return graph.nodes.map((node) => {
    const inputs = node.inputs.map((name) => shapes.get(name) ?? []);
    const rule = findRule(node.className);
    const macs = rule?.macs ? rule.macs(inputs, node.outputShape, node.config) : 0;
    const ops = opsOf(node, rule, inputs, macs);
    const weightElements = weightElementsOf(node, rule, inputs);
    const activations = ops.length === 0 ? 0 : inputs.reduce((n, s) => n + sizeOf(s), 0) + sizeOf(node.outputShape);
    const work: LayerWork = {
      name: node.name,
      className: node.className,
      ops,
      macs,
      weightElements,
      bytes: (activations + weightElements) * FLOAT_BYTES,
      executed: rule ? channelKindOf(rule, node.config) !== 'input' : true,
    };
    const fusion = fusable.get(node.name);
    if (fusion) work.fusable = fusion;
    return work;
  });
}
