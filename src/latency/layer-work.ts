// What each layer of a graph asks of the hardware: its op kind, work (MACs or element ops) and bytes moved.
import type { OpKind } from '../core/schemas.ts';
import type { Graph, GraphNode } from '../core/types.ts';
import { findRule } from '../layers/rules.ts';
import { readPair } from '../layers/config.ts';
import { sizeOf } from '../layers/shapes.ts';

/** Bytes per float32 element: activations run in float32 on every runtime modelled here. */
export const FLOAT_BYTES = 4;

/** One piece of work of a layer (a SeparableConv2D has two: depthwise then pointwise). */
export interface LayerOp {
  kind: OpKind;
  /** Multiply-accumulates for conv/depthwise/dense, element operations otherwise. */
  work: number;
  /** An activation applied inside a conv or dense layer (a runtime that fuses activations skips it). */
  fused?: boolean;
  /** Input and output channels of a conv or depthwise op: a runtime with a channel block pads them. */
  channels?: { in: number; out: number };
}

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

/** What a graph-optimizing runtime can fuse into the conv or dense layer before it. */
export type Fusion = 'batchnorm' | 'activation';

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
  /** False for InputLayer only: it is not executed, so it gets no per-layer overhead. */
  executed: boolean;
  /**
   * Set when the whole layer can be fused into the conv or dense layer before it (a BatchNormalization
   * right after one, or an activation right after one or after such a BatchNormalization); runtimes
   * whose profile lists the fusion run no separate kernel for it.
   */
  fusable?: Fusion;
}

/** Layers that only reinterpret or pass their input at inference: no kernel runs. */
const NO_KERNEL = new Set(['Flatten', 'Reshape', 'Dropout', 'SpatialDropout2D', 'InputLayer']);

/** Activation functions that cost next to nothing (fused into the kernel's output loop, or a plain max). */
const CHEAP_ACTIVATIONS = new Set(['linear', 'relu']);

/** The activation-function pass of a layer (`activation` config), if it is not a cheap one. */
function activationOp(node: GraphNode): LayerOp[] {
  const fn = node.config['activation'];
  if (typeof fn !== 'string' || CHEAP_ACTIVATIONS.has(fn)) return [];
  return [{ kind: fn === 'relu6' ? 'clip' : 'activation', work: sizeOf(node.outputShape), fused: true }];
}

/** Layers a following BatchNormalization or activation can fuse into. */
const FUSE_INTO = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense']);
/** Activation functions graph optimizers fuse into a conv (ONNX Runtime: Relu, Clip, Sigmoid, Tanh, LeakyRelu, HardSigmoid). */
const FUSABLE_ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'hard_sigmoid']);

/** Which whole layers can fuse into the conv or dense layer before them. */
function findFusable(graph: Graph): Map<string, Fusion> {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const readers = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  const out = new Map<string, Fusion>();
  const soleReaderOf = (name: string): boolean => readers.get(name) === 1 && !graph.outputs.includes(name);
  const linearConv = (name: string): boolean => {
    const p = byName.get(name);
    const act = p?.config['activation'];
    return !!p && FUSE_INTO.has(p.className) && (act === undefined || act === null || act === 'linear') && soleReaderOf(name);
  };
  for (const node of graph.nodes) {
    const input = node.inputs.length === 1 ? (node.inputs[0] as string) : undefined;
    if (!input) continue;
    if (node.className === 'BatchNormalization' && linearConv(input)) out.set(node.name, 'batchnorm');
    const fn = node.className === 'ReLU' || node.className === 'LeakyReLU' ? 'relu' : node.className === 'Activation' ? node.config['activation'] : undefined;
    if (typeof fn === 'string' && FUSABLE_ACTIVATIONS.has(fn) && (linearConv(input) || (out.get(input) === 'batchnorm' && soleReaderOf(input)))) {
      out.set(node.name, 'activation');
    }
  }
  return out;
}

/** Elements a pooling layer reads. */
function poolWork(node: GraphNode, inputs: number[][]): number {
  if (node.className.startsWith('Global')) return sizeOf(inputs[0] ?? []);
  const [ph, pw] = readPair(node.config, 'pool_size', node.name, 2);
  return sizeOf(node.outputShape) * ph * pw;
}

/** Element operations of an elementwise layer (merges count one pass per extra input). */
function elementWork(node: GraphNode, inputs: number[][]): number {
  const out = sizeOf(node.outputShape);
  switch (node.className) {
    case 'Add':
    case 'Multiply':
    case 'Average':
    case 'Maximum':
    case 'Minimum':
    case 'Subtract':
      return out * Math.max(1, inputs.length - 1);
    default:
      return out;
  }
}

/** The ops of one layer. */
function opsOf(node: GraphNode, inputs: number[][], macs: number): LayerOp[] {
  if (NO_KERNEL.has(node.className)) return [];
  const cin = inputs[0]?.[2] ?? 0;
  const cout = node.outputShape[2] ?? 0;
  switch (node.className) {
    case 'Conv2D':
      return [{ kind: 'conv', work: macs, channels: { in: cin, out: cout } }, ...activationOp(node)];
    case 'DepthwiseConv2D':
      return [{ kind: 'depthwise', work: macs, channels: { in: cin, out: cout } }, ...activationOp(node)];
    case 'SeparableConv2D': {
      const [kh, kw] = readPair(node.config, 'kernel_size', node.name);
      const positions = (node.outputShape[0] ?? 0) * (node.outputShape[1] ?? 0);
      const mid = cin; // depth_multiplier 1 (the only one the rules accept)
      const depthwise = positions * kh * kw * mid;
      return [
        { kind: 'depthwise', work: depthwise, channels: { in: cin, out: mid } },
        { kind: 'conv', work: macs - depthwise, channels: { in: mid, out: cout } },
        ...activationOp(node),
      ];
    }
    case 'Dense':
      return [{ kind: 'dense', work: macs }, ...activationOp(node)];
    case 'BatchNormalization':
      return [{ kind: 'batchnorm', work: sizeOf(node.outputShape) }];
    case 'Activation': {
      // The layer's own pass (not fused into a conv): whether the whole layer fuses is `fusable`.
      const act = activationOp(node).map(({ kind, work }) => ({ kind, work }));
      return act.length > 0 ? act : [{ kind: 'elementwise', work: sizeOf(node.outputShape) }];
    }
    case 'Softmax':
    case 'ELU':
      return [{ kind: 'activation', work: sizeOf(node.outputShape) }];
    case 'MaxPooling2D':
    case 'AveragePooling2D':
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      return [{ kind: 'pool', work: poolWork(node, inputs) }];
    default:
      return [{ kind: 'elementwise', work: elementWork(node, inputs) }];
  }
}

/** Weight elements of a layer from its rule's weight shapes (graph only, no bundle needed). */
function weightElementsOf(node: GraphNode, inputs: number[][]): number {
  const rule = findRule(node.className);
  if (!rule?.weightShape) return 0;
  let n = 0;
  for (const slot of Object.keys(node.weights)) n += sizeOf(rule.weightShape(slot, inputs, node.config, node.name));
  return n;
}

/** The work of every layer of a graph, in graph order. */
export function describeWork(graph: Graph): LayerWork[] {
  const shapes = new Map(graph.nodes.map((n) => [n.name, n.outputShape]));
  const fusable = findFusable(graph);
  return graph.nodes.map((node) => {
    const inputs = node.inputs.map((name) => shapes.get(name) ?? []);
    const rule = findRule(node.className);
    const macs = rule?.macs ? rule.macs(inputs, node.outputShape, node.config) : 0;
    const ops = opsOf(node, inputs, macs);
    const weightElements = weightElementsOf(node, inputs);
    const activations = ops.length === 0 ? 0 : inputs.reduce((n, s) => n + sizeOf(s), 0) + sizeOf(node.outputShape);
    const work: LayerWork = {
      name: node.name,
      className: node.className,
      ops,
      macs,
      weightElements,
      bytes: (activations + weightElements) * FLOAT_BYTES,
      executed: node.className !== 'InputLayer',
    };
    const fusion = fusable.get(node.name);
    if (fusion) work.fusable = fusion;
    return work;
  });
}
