// Readers for GraphDef node attributes in TF.js's JSON form ({i}, {f}, {b}, {s: base64}, {list: {i|s}}), with typed errors.
import { fail } from '../../core/errors.ts';
import type { JsonObject } from '../../core/types.ts';
import type { TfNodeDef } from './graph-def.ts';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where a node sits, for messages: `node "name" (Op)`. */
export function nodeWhere(node: TfNodeDef): string {
  return `node "${node.name}" (${node.op})`;
}

/** Throw INVALID_MODEL about one attribute. */
function badAttr(node: TfNodeDef, key: string, expected: string, found: unknown): never {
  fail('INVALID_MODEL', {
    expected: `attribute "${key}" as ${expected}`,
    found: (JSON.stringify(found) ?? 'nothing').slice(0, 120),
    where: nodeWhere(node),
    hint: 'the GraphDef is malformed; re-convert the model with tensorflowjs_converter',
  });
}

/** Throw UNSUPPORTED_OP naming the node, its op and why. */
export function unsupported(node: TfNodeDef, expected: string, found: string, hint = 'import a sub-graph without this node (--outputs <node,...>)'): never {
  fail('UNSUPPORTED_OP', { expected, found, where: nodeWhere(node), hint });
}

/** A list of integers (`{list: {i: ["1", ...]}}`), or the fallback when absent. */
export function readIntList(node: TfNodeDef, key: string, fallback?: number[]): number[] {
  const raw = node.attr[key];
  if (raw === undefined && fallback) return fallback;
  const list = isObject(raw) && isObject(raw['list']) ? raw['list']['i'] ?? [] : undefined;
  if (!Array.isArray(list)) badAttr(node, key, 'a list of integers', raw);
  return list.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n)) badAttr(node, key, 'a list of integers', raw);
    return n;
  });
}

/** A list of strings (base64 in JSON), or the fallback when absent. */
export function readStringList(node: TfNodeDef, key: string, fallback: string[] = []): string[] {
  const raw = node.attr[key];
  if (raw === undefined) return fallback;
  const list = isObject(raw) && isObject(raw['list']) ? raw['list']['s'] ?? [] : undefined;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) badAttr(node, key, 'a list of strings', raw);
  return list.map((s) => Buffer.from(s as string, 'base64').toString('utf8'));
}

/** A string attribute (base64 in JSON), or the fallback when absent. */
export function readStringAttr(node: TfNodeDef, key: string, fallback: string): string {
  const raw = node.attr[key];
  if (raw === undefined) return fallback;
  if (!isObject(raw) || typeof raw['s'] !== 'string') badAttr(node, key, 'a string', raw);
  return Buffer.from(raw['s'], 'base64').toString('utf8');
}

/** A float attribute, or the fallback when absent. */
export function readFloatAttr(node: TfNodeDef, key: string, fallback: number): number {
  const raw = node.attr[key];
  if (raw === undefined) return fallback;
  const v = isObject(raw) ? Number(raw['f'] ?? 0) : NaN;
  if (!Number.isFinite(v)) badAttr(node, key, 'a finite float', raw);
  return v;
}

/** An integer attribute, or the fallback when absent. */
export function readIntAttr(node: TfNodeDef, key: string, fallback: number): number {
  const raw = node.attr[key];
  if (raw === undefined) return fallback;
  const v = isObject(raw) ? Number(raw['i'] ?? 0) : NaN;
  if (!Number.isInteger(v)) badAttr(node, key, 'an integer', raw);
  return v;
}

/** A boolean attribute, or the fallback when absent. */
export function readBoolAttr(node: TfNodeDef, key: string, fallback: boolean): boolean {
  const raw = node.attr[key];
  if (raw === undefined) return fallback;
  if (!isObject(raw)) badAttr(node, key, 'a boolean', raw);
  return raw['b'] === true;
}

/** A shape attribute (`{shape: {dim: [{size}]}}`); unknown sizes are -1; undefined when absent or unknown rank. */
export function readShapeAttr(node: TfNodeDef, key: string): number[] | undefined {
  const raw = node.attr[key];
  if (!isObject(raw) || !isObject(raw['shape'])) return undefined;
  const shape = raw['shape'];
  if (shape['unknownRank'] === true) return undefined;
  const dims = shape['dim'] ?? [];
  if (!Array.isArray(dims)) badAttr(node, key, 'a shape', raw);
  return dims.map((d) => {
    const n = isObject(d) ? Number(d['size'] ?? 0) : NaN;
    if (!Number.isInteger(n)) badAttr(node, key, 'a shape', raw);
    return n;
  });
}

/** Require NHWC (the only layout graph-model CNNs use on TF.js). */
export function requireNhwc(node: TfNodeDef): void {
  const format = readStringAttr(node, 'data_format', 'NHWC');
  if (format !== 'NHWC') unsupported(node, 'data_format NHWC', `data_format ${format}`, 'convert the model for TF.js (NHWC); NCHW graphs run on GPU-only TensorFlow');
}
