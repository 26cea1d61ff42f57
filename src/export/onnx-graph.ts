// Builds an ONNX model from a graph: graph inputs, one emitter call per layer (from ONNX_EMITTERS), graph outputs.
import type { onnx as OnnxTypes } from 'onnx-proto';
import { fail } from '../core/errors.ts';
import type { Graph, WeightEntry } from '../core/types.ts';
import { addNode, createEmitContext, createGraphState, reserveName, convertToKeras, type OnnxValue, type OnnxWeightStorage } from './onnx-context.ts';
import { findEmitter, ONNX_EMITTERS } from './onnx-emitters.ts';
import { encodeModel, createValueInfo } from './onnx-tensors.ts';

/** The ONNX operator set edge-prune writes (Clip/Pad take inputs; ReduceMean takes `axes` as an attribute). */
export const ONNX_OPSET = 13;
/** ONNX IR version matching opset 13. */
export const ONNX_IR_VERSION = 7;

/** Tensor layout of the ONNX graph's image inputs and outputs. */
export type OnnxLayout = 'nchw' | 'nhwc';

/** Options of the ONNX builder. */
export interface OnnxBuildOptions {
  /** `nchw` (default): image inputs/outputs channel-first; `nhwc`: as Keras has them (transposed inside). */
  layout?: OnnxLayout;
  /** Weight storage: float32 (default), float16 (+ Cast) or uint8 (+ DequantizeLinear). */
  storage?: OnnxWeightStorage;
  /** Model name recorded in the graph. */
  name?: string;
  producerVersion?: string;
  /** ONNX names of graph inputs/outputs by layer name (e.g. the names an imported model had); the layer name otherwise. */
  names?: Readonly<Record<string, string>>;
  /** Extra `metadata_props` entries (key → value), e.g. the input normalization under `ONNX_META_NORMALIZATION` (onnx-meta.ts). */
  metadata?: Readonly<Record<string, string>>;
}

/** One graph input or output: ONNX name, dims (batch first, `batch` symbolic) and whether it is an NCHW image. */
export interface OnnxIo {
  name: string;
  dims: (number | string)[];
  /** Keras shape without batch. */
  kerasShape: number[];
  nchw: boolean;
}

/** A built ONNX model. */
export interface OnnxBuild {
  model: OnnxTypes.IModelProto;
  bytes: Uint8Array;
  inputs: OnnxIo[];
  outputs: OnnxIo[];
  opset: number;
}

/** Dims of a value as the ONNX graph stores it (batch first). */
function describePhysicalDims(value: OnnxValue): (number | string)[] {
  if (value.layout === 'nchw') {
    const [h, w, c] = value.shape as [number, number, number];
    return ['batch', c, h, w];
  }
  return ['batch', ...value.shape];
}

/** Turn a graph (BatchNormalization already folded or not, as the caller chose) into an ONNX model. */
export function buildOnnxModel(graph: Graph, weights: ReadonlyMap<string, WeightEntry>, options: OnnxBuildOptions = {}): OnnxBuild {
  const layout = options.layout ?? 'nchw';
  const state = createGraphState(options.storage ?? 'float32');
  const values = new Map<string, OnnxValue>();
  const inputs: OnnxIo[] = [];
  for (const node of graph.nodes) {
    if (node.className === 'InputLayer') {
      const name = reserveName(state, options.names?.[node.name] ?? node.name);
      const image = node.outputShape.length === 3;
      const value: OnnxValue = { name, shape: node.outputShape, layout: image && layout === 'nchw' ? 'nchw' : 'keras' };
      values.set(node.name, value);
      inputs.push({ name, dims: describePhysicalDims(value), kerasShape: node.outputShape, nchw: value.layout === 'nchw' });
      continue;
    }
    const emitter = findEmitter(node.className);
    if (!emitter) {
      fail('UNSUPPORTED_LAYER', {
        expected: `a layer class with an ONNX emitter (${Object.keys(ONNX_EMITTERS).join(', ')})`,
        found: `class "${node.className}"`,
        where: `layer "${node.name}"`,
        hint: 'remove or replace the layer before exporting to ONNX, or add an emitter in src/export/onnx-emitters.ts',
      });
    }
    const ins = node.inputs.map((n) => values.get(n) ?? fail('INTERNAL', { expected: `layer "${n}" emitted first`, found: 'not yet emitted', where: `layer "${node.name}"`, hint: 'the graph is not in topological order' }));
    values.set(node.name, emitter(createEmitContext(state, node, ins, weights)));
  }
  const outputs: OnnxIo[] = [];
  for (const out of graph.outputs) {
    let value = values.get(out) as OnnxValue;
    if (value.layout === 'flat-chw' || (layout === 'nhwc' && value.layout === 'nchw')) value = convertToKeras(state, value);
    if (value.layout === 'keras' && value.shape.length === 3 && layout === 'nchw') value = { ...value, name: addNode(state, 'Transpose', [value.name], `${value.name}/nchw`, { perm: { ints: [0, 3, 1, 2] } }), layout: 'nchw' };
    const wanted = options.names?.[out] ?? out;
    const name = value.name === wanted ? wanted : addNode(state, 'Identity', [value.name], wanted);
    outputs.push({ name, dims: describePhysicalDims(value), kerasShape: value.shape, nchw: value.layout === 'nchw' });
  }
  const model: OnnxTypes.IModelProto = {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'edge-prune',
    producerVersion: options.producerVersion ?? '0.1.0',
    graph: {
      name: options.name ?? 'edge-prune',
      node: state.nodes,
      initializer: state.initializers,
      input: inputs.map((i) => createValueInfo(i.name, i.dims)),
      output: outputs.map((o) => createValueInfo(o.name, o.dims)),
    },
  };
  const props = Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value }));
  if (props.length > 0) model.metadataProps = props;
  return { model, bytes: encodeModel(model), inputs, outputs, opset: ONNX_OPSET };
}
