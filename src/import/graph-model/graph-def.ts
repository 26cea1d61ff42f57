// Reads a TF.js graph model (model.json with "format": "graph-model" + shards): validated GraphDef nodes and Const values.
import { dirname } from 'node:path';
import { fail } from '../../core/errors.ts';
import type { JsonObject } from '../../core/types.ts';
import { parseManifest } from '../../bundle/manifest.ts';
import { MAX_MODEL_ELEMENTS, readModelJson, readShards, requireFinite } from '../../bundle/read-bundle.ts';
import { decodeWeights, elementCount, storedBytesPerElement } from '../../bundle/weights-codec.ts';

/** A reference to one output of a node (`name` or `name:index` in GraphDef inputs). */
export interface TensorRef {
  node: string;
  index: number;
}

/** One GraphDef node as tfjs-converter writes it, with control inputs (`^name`) dropped. */
export interface TfNodeDef {
  name: string;
  op: string;
  inputs: TensorRef[];
  attr: JsonObject;
}

/** The value of a Const node (from the weights manifest), dequantized to float32. */
export interface ConstTensor {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array;
}

/** A parsed graph model. */
export interface GraphDefModel {
  /** Path of model.json, for messages. */
  path: string;
  nodes: TfNodeDef[];
  consts: Map<string, ConstTensor>;
  /** The `signature` block when the converter wrote one. */
  signature?: JsonObject;
  /** Top-level fields of model.json other than the topology and manifest. */
  meta: JsonObject;
  /** How the float weights are stored: float32, float16, uint8, uint16, or mixed. */
  weightEncoding: string;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Throw INVALID_MODEL about the GraphDef. */
function bad(where: string, expected: string, found: unknown): never {
  fail('INVALID_MODEL', {
    expected,
    found: (JSON.stringify(found) ?? String(found)).slice(0, 160),
    where,
    hint: 'model.json is not a TF.js graph model edge-prune can read; re-convert it with tensorflowjs_converter',
  });
}

/** Parse `name`, `name:1` or `^name` (control input: undefined). */
export function parseTensorRef(raw: string): TensorRef | undefined {
  if (raw.startsWith('^')) return undefined;
  const m = /^(.*):(\d+)$/.exec(raw);
  return m ? { node: m[1] as string, index: Number(m[2]) } : { node: raw, index: 0 };
}

/** Validate the node list of modelTopology. */
function parseNodes(topology: JsonObject, where: string): TfNodeDef[] {
  const list = topology['node'];
  if (!Array.isArray(list) || list.length === 0) bad(`${where}: modelTopology.node`, 'a non-empty list of GraphDef nodes', list);
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const at = `${where}: modelTopology.node[${i}]`;
    if (!isObject(raw)) bad(at, 'a node object', raw);
    const { name, op, input, attr } = raw;
    if (typeof name !== 'string' || name === '') bad(`${at}.name`, 'a node name', name);
    if (typeof op !== 'string' || op === '') bad(`${at}.op`, 'an op name', op);
    if (seen.has(name)) bad(at, 'unique node names', name);
    seen.add(name);
    if (input !== undefined && (!Array.isArray(input) || !input.every((s) => typeof s === 'string'))) bad(`${at}.input`, 'a list of input names', input);
    if (attr !== undefined && !isObject(attr)) bad(`${at}.attr`, 'an attribute object', attr);
    const inputs = ((input ?? []) as string[]).map(parseTensorRef).filter((r): r is TensorRef => r !== undefined);
    return { name, op, inputs, attr: (attr ?? {}) as JsonObject };
  });
}

/** Read the weights of every manifest group, keyed by Const node name. */
async function readConsts(json: JsonObject, path: string): Promise<{ consts: Map<string, ConstTensor>; weightEncoding: string }> {
  const groups = parseManifest(json['weightsManifest'], path);
  const encodings = new Set(groups.flatMap((g) => g.weights.filter((w) => w.dtype === 'float32').map((w) => w.quantization?.dtype ?? 'float32')));
  const weightEncoding = encodings.size === 1 ? ([...encodings][0] as string) : encodings.size === 0 ? 'float32' : 'mixed';
  const elements = groups.reduce((n, g) => n + g.weights.reduce((m, s) => m + elementCount(s.shape), 0), 0);
  if (elements > MAX_MODEL_ELEMENTS) {
    fail('INVALID_MODEL', { expected: `at most ${MAX_MODEL_ELEMENTS} weight values`, found: `${elements} in weightsManifest`, where: path, hint: 'edge-prune handles models up to 1 GiB of float32 weights' });
  }
  const consts = new Map<string, ConstTensor>();
  for (const group of groups) {
    const expected = group.weights.reduce((n, s) => n + elementCount(s.shape) * storedBytesPerElement(s), 0);
    const bytes = await readShards(dirname(path), group.paths, expected, path);
    const weights = decodeWeights(group.weights, bytes, path);
    requireFinite(weights, path);
    for (const w of weights) consts.set(w.name, { shape: w.shape, dtype: w.dtype, data: w.data });
  }
  return { consts, weightEncoding };
}

/** Is this parsed model.json a graph model (rather than a Layers model)? */
export function isGraphModelJson(json: JsonObject): boolean {
  const topology = json['modelTopology'];
  return json['format'] === 'graph-model' || (isObject(topology) && Array.isArray(topology['node']));
}

/**
 * Read a TF.js graph model from disk: nodes validated, shard sizes checked against the manifest
 * before allocation, shard paths confined to the model's folder, quantized weights dequantized.
 */
export async function readGraphModel(path: string): Promise<GraphDefModel> {
  const json = await readModelJson(path);
  const { modelTopology, weightsManifest: _manifest, signature, ...meta } = json;
  if (!isObject(modelTopology) || !isGraphModelJson(json)) {
    bad(path, 'a graph model ("format": "graph-model" with modelTopology.node)', json['format'] ?? Object.keys(json));
  }
  const nodes = parseNodes(modelTopology, path);
  const { consts, weightEncoding } = await readConsts(json, path);
  return { path, nodes, consts, ...(isObject(signature) ? { signature } : {}), meta, weightEncoding };
}
