// A deterministic printable text form of an ONNX model (kept as golden files): I/O, initializers, nodes, sorted attributes.
import type { onnx as OnnxTypes } from 'onnx-proto';
import { decodeModel } from './onnx-tensors.ts';

const DTYPE_NAMES: Record<number, string> = { 1: 'float', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 10: 'float16', 11: 'double' };
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;

/** A protobuf integer (number or Long) as a number. */
function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

/** A float printed with 7 significant digits (float32 precision), trailing zeros dropped. */
function float(v: number): string {
  return String(Number(Math.fround(v).toPrecision(7)));
}

/** Dims of a value info: numbers or symbolic names. */
function typeText(info: OnnxTypes.IValueInfoProto): string {
  const t = info.type?.tensorType;
  const dims = (t?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : String(num(d.dimValue))));
  return `${DTYPE_NAMES[t?.elemType ?? 0] ?? `type${t?.elemType}`}[${dims.join(',')}]`;
}

/** The values of small integer tensors and shared float constants (never weight values). */
function valuesText(t: OnnxTypes.ITensorProto): string {
  const raw = t.rawData;
  const count = (t.dims ?? []).reduce<number>((a, b) => a * num(b), 1);
  if (!raw || raw.byteLength === 0) return '';
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (t.dataType === 7 && count <= 16) return ` = [${Array.from({ length: count }, (_, i) => String(view.getBigInt64(8 * i, true))).join(',')}]`;
  if (t.dataType === 1 && count <= 4 && t.name?.startsWith('const/')) return ` = [${Array.from({ length: count }, (_, i) => float(view.getFloat32(4 * i, true))).join(',')}]`;
  if (t.dataType === 2 && count <= 4) return ` = [${Array.from(raw.subarray(0, count)).join(',')}]`;
  return '';
}

/** One attribute as `name=value`. */
function attrText(a: OnnxTypes.IAttributeProto): string {
  switch (a.type) {
    case ATTR_INT:
      return `${a.name}=${num(a.i)}`;
    case ATTR_FLOAT:
      return `${a.name}=${float(a.f ?? 0)}`;
    case ATTR_STRING:
      return `${a.name}="${new TextDecoder().decode(a.s ?? new Uint8Array())}"`;
    case ATTR_INTS:
      return `${a.name}=[${(a.ints ?? []).map(num).join(',')}]`;
    case ATTR_FLOATS:
      return `${a.name}=[${(a.floats ?? []).map(float).join(',')}]`;
    default:
      return `${a.name}=<type ${a.type}>`;
  }
}

/**
 * Print a model (bytes or a ModelProto) as stable text: header, inputs, outputs, initializers (type,
 * dims, and the values of small integer tensors), then nodes in order with attributes sorted by name.
 * Weight values are not printed, so the text describes the graph, not the training.
 */
export function printOnnxModel(model: Uint8Array | OnnxTypes.IModelProto): string {
  const m = model instanceof Uint8Array ? decodeModel(model) : model;
  const g = m.graph ?? {};
  const opsets = (m.opsetImport ?? []).map((o) => `${o.domain || 'ai.onnx'}:${num(o.version)}`).join(' ');
  const lines = [`ir_version ${num(m.irVersion)} opset ${opsets} producer ${m.producerName ?? ''}`, `graph ${g.name ?? ''}`];
  for (const i of g.input ?? []) lines.push(`input ${i.name} ${typeText(i)}`);
  for (const o of g.output ?? []) lines.push(`output ${o.name} ${typeText(o)}`);
  for (const t of g.initializer ?? []) {
    const dims = (t.dims ?? []).map(num).join(',');
    lines.push(`initializer ${t.name} ${DTYPE_NAMES[t.dataType ?? 0] ?? `type${t.dataType}`}[${dims}]${valuesText(t)}`);
  }
  for (const n of g.node ?? []) {
    const attrs = [...(n.attribute ?? [])].sort((a, b) => String(a.name).localeCompare(String(b.name))).map(attrText);
    const head = `node ${n.opType}(${(n.input ?? []).join(', ')}) -> ${(n.output ?? []).join(', ')}`;
    lines.push(attrs.length ? `${head} ${attrs.join(' ')}` : head);
  }
  return `${lines.join('\n')}\n`;
}
