// Builds a TF.js graph model (GraphDef nodes + weights manifest) from a graph whose BatchNormalization is folded.
import { fail } from '../core/errors.ts';
import type { Graph, JsonObject, WeightEntry } from '../core/types.ts';
import { DEFAULT_SHARD_BYTES } from '../bundle/write-bundle.ts';
import { encodeWeightsAs } from '../bundle/quantize.ts';
import type { WeightEncoding } from '../bundle/encoding.ts';
import { addTfNode, attr, createTfEmitContext, createTfGraphState, type TfGraphState, type TfNode } from './graph-context.ts';
import { GRAPH_EMITTERS } from './graph-emitters.ts';

/** TF activation ops that TF.js can fuse into a convolution or MatMul (and its lowercase name). */
const FUSABLE: Record<string, string> = { Relu: 'Relu', Relu6: 'Relu6', Elu: 'Elu', Sigmoid: 'Sigmoid', LeakyRelu: 'LeakyRelu' };
const FUSED_OP: Record<string, string> = { Conv2D: '_FusedConv2D', DepthwiseConv2dNative: 'FusedDepthwiseConv2dNative', MatMul: '_FusedMatMul' };

/** Options of the graph-model builder. */
export interface GraphModelOptions {
  /** Weight storage of every constant (float32 when absent). */
  encoding?: WeightEncoding;
  shardBytes?: number;
}

/** A serialized graph model: model.json object and shard files. */
export interface GraphModelFiles {
  modelJson: JsonObject;
  shards: { name: string; bytes: Uint8Array }[];
  /** Op counts by type, for the record. */
  ops: Record<string, number>;
}

/**
 * Fuse Conv2D/DepthwiseConv2dNative/MatMul → BiasAdd (→ Relu/Relu6/Elu/Sigmoid/LeakyRelu) chains into
 * TF.js's fused ops, as tensorflowjs_converter does, when each intermediate has one reader and is no output.
 */
function fuseOps(state: TfGraphState, outputs: Set<string>): TfNode[] {
  const readers = new Map<string, TfNode[]>();
  for (const n of state.nodes) for (const i of n.input) readers.set(i, [...(readers.get(i) ?? []), n]);
  const only = (name: string): TfNode | undefined => {
    const r = readers.get(name);
    return r && r.length === 1 && !outputs.has(name) ? r[0] : undefined;
  };
  const removed = new Set<TfNode>();
  for (const n of state.nodes) {
    const fused = FUSED_OP[n.op];
    const biasAdd = fused ? only(n.name) : undefined;
    if (!fused || !biasAdd || biasAdd.op !== 'BiasAdd' || biasAdd.input[0] !== n.name) continue;
    const act = only(biasAdd.name);
    const fusedOps = ['BiasAdd'];
    let last = biasAdd;
    if (act && FUSABLE[act.op] && act.input[0] === biasAdd.name) {
      fusedOps.push(FUSABLE[act.op] as string);
      if (act.op === 'LeakyRelu') n.attr['leakyrelu_alpha'] = act.attr['alpha'] ?? attr.f(0.2);
      last = act;
      removed.add(act);
    }
    removed.add(biasAdd);
    // The fused node takes the name of the chain's last node, so readers need no rewiring.
    state.nodes[state.nodes.indexOf(last)] = {
      name: last.name,
      op: fused,
      input: [...n.input, biasAdd.input[1] as string],
      attr: { ...n.attr, fused_ops: attr.strs(fusedOps), num_args: attr.int(1), epsilon: attr.f(0) },
    };
    removed.add(n);
  }
  return state.nodes.filter((n) => !removed.has(n));
}

/** Build a graph model; layers without a graph emitter are an UNSUPPORTED_LAYER error naming them. */
export function buildGraphModel(graph: Graph, weights: ReadonlyMap<string, WeightEntry>, options: GraphModelOptions = {}): GraphModelFiles {
  const state = createTfGraphState();
  const values = new Map<string, string>();
  const shapes = new Map(graph.nodes.map((n) => [n.name, n.outputShape]));
  const signature: { inputs: JsonObject; outputs: JsonObject } = { inputs: {}, outputs: {} };
  const tensorShape = (shape: number[]): JsonObject => ({ dim: [-1, ...shape].map((d) => ({ size: String(d) })) });
  for (const node of graph.nodes) {
    if (node.className === 'InputLayer') {
      const name = addTfNode(state, 'Placeholder', [], node.name, { dtype: attr.float(), shape: attr.shape([-1, ...node.outputShape]) });
      values.set(node.name, name);
      signature.inputs[name] = { name: `${name}:0`, dtype: 'DT_FLOAT', tensorShape: tensorShape(node.outputShape) };
      continue;
    }
    const emitter = Object.prototype.hasOwnProperty.call(GRAPH_EMITTERS, node.className) ? GRAPH_EMITTERS[node.className] : undefined;
    if (!emitter) {
      fail('UNSUPPORTED_LAYER', {
        expected: `a layer class with a graph-model emitter (${Object.keys(GRAPH_EMITTERS).join(', ')})`,
        found: `class "${node.className}"`,
        where: `layer "${node.name}"`,
        hint: 'remove or replace the layer before exporting, or add an emitter in src/export/graph-emitters.ts',
      });
    }
    const inputs = node.inputs.map((n) => values.get(n) as string);
    values.set(node.name, emitter(createTfEmitContext(state, node, inputs, node.inputs.map((n) => shapes.get(n) as number[]), weights)));
  }
  const outputNames = new Set<string>();
  for (const out of graph.outputs) {
    const value = values.get(out) as string;
    const name = value === out ? value : addTfNode(state, 'Identity', [value], out, { T: attr.float() });
    outputNames.add(name);
    signature.outputs[name] = { name: `${name}:0`, dtype: 'DT_FLOAT', tensorShape: tensorShape(shapes.get(out) as number[]) };
  }
  const nodes = fuseOps(state, outputNames);
  const live = new Set(nodes.map((n) => n.name));
  const consts = state.consts.filter((c) => live.has(c.name));
  const { specs, bytes } = encodeWeightsAs(consts, options.encoding ?? 'float32');
  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  const count = Math.max(1, Math.ceil(bytes.byteLength / shardBytes));
  const shards = Array.from({ length: count }, (_, i) => ({
    name: `group1-shard${i + 1}of${count}.bin`,
    bytes: bytes.subarray(i * shardBytes, Math.min(bytes.byteLength, (i + 1) * shardBytes)),
  }));
  const ops: Record<string, number> = {};
  for (const n of nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
  const modelJson: JsonObject = {
    format: 'graph-model',
    generatedBy: 'edge-prune',
    convertedBy: 'edge-prune',
    modelTopology: { node: nodes as unknown as JsonObject[], library: {}, versions: {} },
    weightsManifest: [{ paths: shards.map((s) => s.name), weights: specs as unknown as JsonObject[] }],
    signature,
  };
  return { modelJson, shards, ops };
}
