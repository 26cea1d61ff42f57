// The ONNX importer: an ONNX file (NCHW) → a ModelBundle (Keras functional topology, channels-last weights, meta).
import { basename } from 'node:path';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { fail, isEdgePruneError } from '../../core/errors.ts';
import type { JsonObject, ModelBundle } from '../../core/types.ts';
import { decodeConstantNode, evaluateNode, onnxDimsOf, CONSTANT_OPS, type ConstSource } from './const-eval.ts';
import { KerasBuilder, type LayerRecord } from '../keras-builder.ts';
import { readOnnxFile, toNumber, type OnnxFile } from './onnx-file.ts';
import { decodeTensor, type ConstTensor, type SymInt } from './onnx-tensor.ts';
import { requireConverter } from './op-table.ts';
import { describeNode, type ImportContext, type KerasValue, type OnnxNode } from './import-context.ts';
import { readSourceInput } from './source-io.ts';
import { failWithTail, selectOutputs } from './tail.ts';
import { ONNX_META_CLASSES, ONNX_META_NORMALIZATION } from '../../export/onnx-meta.ts';
import { parseNormalization } from '../../data/normalization.ts';
import { externalDataFiles, onnxWeightEncoding } from './weight-encoding.ts';

/** Deepest chain of nodes converted on demand (each level is a few stack frames; CNNs stay far below). */
export const MAX_GRAPH_DEPTH = 500;

/** Most nodes a graph may have (ResNet-152 has about 500). */
export const MAX_GRAPH_NODES = 20_000;

/** Decode every initializer and Constant node value up front (external data is read here). */
async function collectConstants(file: OnnxFile): Promise<Map<string, ConstTensor>> {
  const consts = new Map<string, ConstTensor>();
  for (const t of file.graph.initializer ?? []) consts.set(t.name ?? '', await decodeTensor(t, file.path));
  for (const node of file.graph.node ?? []) {
    if (node.opType !== 'Constant') continue;
    const value = await decodeConstantNode(node, file.path);
    if (!value) fail('UNSUPPORTED_OP', { expected: 'a Constant with a tensor, float(s) or int(s) value', found: 'another kind of value', where: describeNode(node, file.opset), hint: 'sparse and string constants are not imported' });
    consts.set(node.output?.[0] ?? '', value);
  }
  return consts;
}

/** Options of an ONNX import. */
export interface OnnxImportOptions {
  /** Import the sub-graph up to these tensors (raw outputs before a decoding/NMS tail) instead of the graph outputs. */
  outputs?: string[];
}

/** Producer and reader counts of every tensor (model outputs count as readers); duplicate producers are a malformed graph. */
function indexGraph(file: OnnxFile, outputNames: readonly string[]): { producers: Map<string, OnnxNode>; readers: Map<string, number>; reader: Map<string, OnnxNode> } {
  const producers = new Map<string, OnnxNode>();
  const readers = new Map<string, number>();
  const reader = new Map<string, OnnxNode>();
  const count = file.graph.node?.length ?? 0;
  if (count > MAX_GRAPH_NODES) fail('UNSUPPORTED_OP', { expected: `a graph of at most ${MAX_GRAPH_NODES} nodes`, found: `${count} nodes`, where: file.path, hint: 'edge-prune imports CNNs of ordinary size' });
  for (const node of file.graph.node ?? []) {
    for (const out of node.output ?? []) {
      if (out === '') continue;
      if (producers.has(out)) fail('INVALID_MODEL', { expected: 'each tensor produced once', found: `tensor "${out}" produced twice`, where: file.path, hint: 'the ONNX graph is malformed' });
      producers.set(out, node);
    }
    for (const t of node.input ?? []) {
      readers.set(t, (readers.get(t) ?? 0) + 1);
      reader.set(t, node);
    }
  }
  for (const o of outputNames) readers.set(o, (readers.get(o) ?? 0) + 1);
  return { producers, readers, reader };
}

/** Convert a decoded ONNX model into a bundle. */
export async function convertOnnx(file: OnnxFile, options: OnnxImportOptions = {}): Promise<ModelBundle> {
  const consts = await collectConstants(file);
  const outputNames = selectOutputs(file, options.outputs, consts);
  const { producers, readers, reader } = indexGraph(file, outputNames);
  const builder = new KerasBuilder();
  const values = new Map<string, KerasValue>();
  const folded = new Map<string, ConstTensor | null>();
  const images = new Map<LayerRecord, KerasValue>();
  const activeConst = new Set<string>();
  const activeValue = new Set<string>();
  const failures = new Map<string, Error>();
  let depth = 0;
  const descend = (node: OnnxNode): void => {
    if (++depth > MAX_GRAPH_DEPTH) {
      fail('UNSUPPORTED_OP', { expected: `a graph at most ${MAX_GRAPH_DEPTH} nodes deep`, found: 'a deeper chain of nodes', where: where(node), hint: 'edge-prune imports CNNs of ordinary depth; split the model' });
    }
  };
  const source = readSourceInput(file, consts);
  const inputLayer = builder.add('InputLayer', source.name, { batch_input_shape: [null, ...source.kerasShape], dtype: 'float32', sparse: false }, []);
  values.set(source.name, { layer: inputLayer, shape: inputLayer.outputShape });

  const where = (node: OnnxNode): string => `${file.path}: ${describeNode(node, file.opset)}`;
  const ctx: ImportContext = {
    file,
    opset: file.opset,
    builder,
    where,
    producer: (t) => producers.get(t),
    readers: (t) => readers.get(t) ?? 0,
    define: (t, v) => { values.set(t, v); },
    constant(t) {
      const known = consts.get(t) ?? folded.get(t);
      if (known !== undefined) return known ?? undefined;
      const node = producers.get(t);
      if (!node || !CONSTANT_OPS.includes(node.opType as (typeof CONSTANT_OPS)[number]) || activeConst.has(t)) return undefined;
      activeConst.add(t);
      try {
        descend(node);
        const value = evaluateNode(constSource, node);
        folded.set(t, value ?? null);
        return value;
      } finally {
        depth--;
        activeConst.delete(t);
      }
    },
    value(t, user) {
      const known = values.get(t);
      if (known) return known;
      const node = producers.get(t);
      if (!node) {
        return fail(consts.has(t) ? 'UNSUPPORTED_OP' : 'INVALID_MODEL', {
          expected: consts.has(t) ? 'a tensor computed from the model input' : `tensor "${t}" produced by a node, an initializer or the input`,
          found: consts.has(t) ? `constant "${t}"` : 'nothing produces it (missing initializer?)',
          where: where(user),
          hint: consts.has(t) ? 'operators on constants only are folded at export; re-export with do_constant_folding=True' : 'the ONNX file is incomplete; re-export it',
        });
      }
      if (activeValue.has(t)) fail('INVALID_MODEL', { expected: 'an acyclic graph', found: `a cycle through tensor "${t}"`, where: where(node), hint: 'the ONNX graph is malformed' });
      const failed = failures.get(t);
      if (failed) throw failed;
      activeValue.add(t);
      try {
        descend(node);
        const first = requireConverter(ctx, node)(ctx, node);
        values.set(node.output?.[0] ?? t, first);
        // A converter of several outputs (Split) defines the others itself.
        const v = values.get(t) ?? first;
        values.set(t, v);
        return v;
      } catch (error) {
        // Remembered, so chains fed by one unsupported node fail once, not once per node.
        failures.set(t, error instanceof Error ? error : new Error(String(error)));
        throw error;
      } finally {
        depth--;
        activeValue.delete(t);
      }
    },
    layer: (node, className, config, inputs, weights = [], suffix) =>
      builder.add(className, `${node.name || node.output?.[0] || className}${suffix ? `_${suffix}` : ''}`, config, inputs.map((v) => v.layer), weights),
    image(v, node) {
      if (v.shape.length === 3) return v;
      if (!v.squeezed) fail('UNSUPPORTED_OP', { expected: 'an image [N, C, H, W] input', found: `a [N, ${v.shape.join(', ')}] tensor`, where: where(node), hint: 'this operator needs a feature map' });
      const done = images.get(v.layer);
      if (done) return done;
      const layer = builder.add('Reshape', `${v.layer.name}_image`, { target_shape: [1, 1, v.shape[0]] }, [v.layer]);
      const out: KerasValue = { layer, shape: layer.outputShape, ...(v.nonNegative ? { nonNegative: true } : {}) };
      images.set(v.layer, out);
      return out;
    },
  };
  const constSource: ConstSource = {
    constant: (t) => ctx.constant(t),
    dimsOf: (t, user): SymInt[] => onnxDimsOf(ctx.value(t, user)),
    opset: file.opset,
    where,
  };
  // Convert in file order first (ONNX lists nodes topologically) so on-demand conversion stays shallow.
  // A node that fails here (a constant-only op, a pattern's inner node) fails again if an output needs it.
  for (const node of file.graph.node ?? []) {
    const out = node.output?.[0];
    if (!out || node.opType === 'Constant' || values.has(out) || consts.has(out)) continue;
    // A Conv/MatMul whose only reader is a bias Add is converted (with the bias) by that Add.
    const next = readers.get(out) === 1 ? reader.get(out) : undefined;
    if ((node.opType === 'Conv' || node.opType === 'MatMul') && next?.opType === 'Add' && next.input?.some((t) => t !== out && ctx.constant(t))) continue;
    try {
      ctx.value(out, node);
    } catch (error) {
      if (!isEdgePruneError(error)) throw error;
    }
  }
  const isConstant = (t: string): boolean => {
    try {
      return ctx.constant(t) !== undefined;
    } catch {
      return false; // shape arithmetic over a tensor that did not convert
    }
  };
  const tailView = { file, producer: (t: string) => ctx.producer(t), converted: (t: string) => values.has(t) && values.get(t)?.layer !== inputLayer, isConstant };
  const outputs = outputNames.map((name) => {
    let v: KerasValue;
    try {
      v = ctx.value(name, { name: `graph output "${name}"`, opType: 'output' });
    } catch (error) {
      return failWithTail(tailView, outputNames, error);
    }
    if (v.flatFrom) fail('UNSUPPORTED_OP', { expected: 'a model output in the same element order in NCHW and NHWC', found: `output "${name}" flattened from an image`, where: file.path, hint: 'end the model with a Gemm/MatMul or global pooling' });
    if (v.layer === inputLayer) fail('UNSUPPORTED_OP', { expected: 'an output computed by the model', found: `output "${name}" is the input`, where: file.path, hint: 'nothing to import' });
    builder.rename(v.layer, name);
    return { name, layer: v.layer };
  });
  if (new Set(outputs.map((o) => o.layer)).size !== outputs.length) fail('UNSUPPORTED_OP', { expected: 'distinct model outputs', found: 'two outputs of one tensor', where: file.path, hint: 'export each output once' });
  const meta = buildMeta(file, source.name, inputLayer.name, outputs.map((o) => ({ name: o.name, layer: o.layer.name })));
  return builder.toBundle(basename(file.path).replace(/\.onnx$/i, ''), [inputLayer], outputs.map((o) => o.layer), meta);
}

/** model.json fields: where the model came from, and the source's input/output names for export. */
function buildMeta(file: OnnxFile, input: string, inputLayer: string, outputs: { name: string; layer: string }[]): JsonObject {
  const m: OnnxTypes.ModelProto = file.model;
  return {
    format: 'layers-model',
    generatedBy: 'edge-prune import',
    convertedBy: `edge-prune import from ONNX (${m.producerName || 'unknown producer'} ${m.producerVersion || ''}, opset ${file.opset})`.replace(' ,', ','),
    // Writers keep the source's weight storage (float16 initializers stay float16) unless --weights says otherwise.
    // externalData: the files beside the model that hold its weights (the source's bytes on disk count them).
    importedFrom: { format: 'onnx', file: basename(file.path), weightEncoding: onnxWeightEncoding(file.graph), ...(externalDataFiles(file.graph).length ? { externalData: externalDataFiles(file.graph) } : {}) },
    userDefinedMetadata: {
      edgePrune: {
        source: {
          format: 'onnx',
          file: basename(file.path),
          opset: file.opset,
          irVersion: toNumber(m.irVersion),
          layout: 'nchw',
          inputs: [{ name: input, layer: inputLayer }],
          outputs,
        },
        ...readEdgePruneProps(m),
      },
    },
  };
}

/** The input normalization and class names an edge-prune export recorded in `metadata_props` (checked; other producers' keys are ignored). */
function readEdgePruneProps(m: OnnxTypes.ModelProto): JsonObject {
  const fields: JsonObject = {};
  const where = (key: string): string => `ONNX metadata_props "${key}"`;
  const parse = (key: string, text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return fail('INVALID_MODEL', { expected: 'a JSON value', found: text.slice(0, 80), where: where(key), hint: 'the file was changed after export; remove the entry' });
    }
  };
  for (const { key, value } of m.metadataProps ?? []) {
    if (key === ONNX_META_NORMALIZATION && value) fields['normalization'] = parseNormalization(parse(key, value), where(key)) as JsonObject;
    if (key === ONNX_META_CLASSES && value) {
      const classes = parse(key, value);
      if (!Array.isArray(classes) || !classes.every((c) => typeof c === 'string')) fail('INVALID_MODEL', { expected: 'a JSON array of class names', found: value.slice(0, 80), where: where(key), hint: 'the file was changed after export; remove the entry' });
      fields['classes'] = classes as string[];
    }
  }
  return fields;
}

/** Import an ONNX file from disk (`outputs`: the sub-graph up to these tensors). */
export async function importOnnx(path: string, options: OnnxImportOptions = {}): Promise<ModelBundle> {
  const file = await readOnnxFile(path);
  try {
    return await convertOnnx(file, options);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return fail('UNSUPPORTED_OP', { expected: 'a graph the importer can walk', found: `a graph too deep or too large (${error.message})`, where: path, hint: 'edge-prune imports CNNs of ordinary depth; split the model' });
  }
}
