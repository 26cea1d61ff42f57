// Reads an ONNX file from disk and decodes its protobuf with onnx-proto, with typed errors for bad files.
import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { fail } from '../../core/errors.ts';
import { requireModelFileSize } from '../../bundle/model-file.ts';

const { onnx } = onnxProto;

/** Largest ONNX file edge-prune reads (weights beyond this belong in external data files). */
export const MAX_ONNX_BYTES = 2 ** 31 - 1;

/** A decoded ONNX model with the facts the importer needs up front. */
export interface OnnxFile {
  path: string;
  model: OnnxTypes.ModelProto;
  graph: OnnxTypes.IGraphProto;
  /** Version of the default ('' or 'ai.onnx') operator set. */
  opset: number;
}

/** A protobuf int64 (number or Long) as a JS number. */
export function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value == null) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** Decode ONNX model bytes; INVALID_MODEL when they are not a ModelProto with a graph. */
export function decodeOnnx(bytes: Uint8Array, path: string): OnnxFile {
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    fail('INVALID_MODEL', {
      expected: 'an ONNX ModelProto (protobuf)',
      found: `bytes that do not decode (${(error as Error).message})`,
      where: path,
      hint: 'the file is truncated or not an ONNX model; re-export it with torch.onnx.export',
    });
  }
  const graph = model.graph;
  if (!graph || (graph.node ?? []).length === 0 || (graph.output ?? []).length === 0) {
    fail('INVALID_MODEL', {
      expected: 'an ONNX model with a graph of nodes and outputs',
      found: graph ? `${graph.node?.length ?? 0} nodes, ${graph.output?.length ?? 0} outputs` : 'no graph',
      where: path,
      hint: 'the file is truncated or not an ONNX model; re-export it with torch.onnx.export',
    });
  }
  const imports = model.opsetImport ?? [];
  const main = imports.find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = toNumber(main?.version);
  if (!main || opset < 1) {
    fail('INVALID_MODEL', { expected: 'an opset_import for the default ONNX domain', found: JSON.stringify(imports.map((o) => `${o.domain ?? ''}:${toNumber(o.version)}`)), where: path, hint: 're-export the model with torch.onnx.export' });
  }
  return { path, model, graph, opset };
}

/** Read and decode an ONNX file; IO_ERROR when it is missing, INVALID_MODEL when it is not ONNX. */
export async function readOnnxFile(path: string): Promise<OnnxFile> {
  await requireModelFileSize(path, { what: 'an ONNX model file', missingHint: 'pass the path of a .onnx file', maxBytes: MAX_ONNX_BYTES, tooLargeHint: 'save large weights as external data beside the model' });
  return decodeOnnx(await readFile(path), path);
}

/** Does this content look like an ONNX protobuf (not JSON)? Checks the first field tags of a ModelProto. */
export function looksLikeOnnx(head: Uint8Array): boolean {
  const first = head[0];
  // The first field tag of a ModelProto: ir_version (0x08), producer_name/version (0x12, 0x1a), domain (0x22),
  // model_version (0x28), doc_string (0x32), graph (0x3a), opset_import (0x42), metadata_props (0x72),
  // training_info / functions (two-byte tags 0xa2, 0xca).
  return first !== undefined && [0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72, 0xa2, 0xca].includes(first);
}

/** One node attribute by name, or undefined. */
export function findAttr(node: OnnxTypes.INodeProto, name: string): OnnxTypes.IAttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

/** An INT attribute, or the fallback. */
export function readIntAttr(node: OnnxTypes.INodeProto, name: string, fallback: number): number {
  const a = findAttr(node, name);
  return a && a.i != null ? toNumber(a.i) : fallback;
}

/** A FLOAT attribute, or the fallback. */
export function readFloatAttr(node: OnnxTypes.INodeProto, name: string, fallback: number): number {
  const a = findAttr(node, name);
  return a && a.type === onnx.AttributeProto.AttributeType.FLOAT ? (a.f ?? 0) : fallback;
}

/** An INTS attribute, or undefined when absent. */
export function readIntsAttr(node: OnnxTypes.INodeProto, name: string): number[] | undefined {
  const a = findAttr(node, name);
  return a ? (a.ints ?? []).map((v) => toNumber(v)) : undefined;
}

/** A STRING attribute, or the fallback. */
export function readStringAttr(node: OnnxTypes.INodeProto, name: string, fallback: string): string {
  const a = findAttr(node, name);
  return a?.s ? new TextDecoder().decode(a.s) : fallback;
}
