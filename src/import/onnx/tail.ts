// The outputs of an ONNX import: --outputs checked, and the unsupported tail (box decoding, NMS, TopK) located with the --outputs that cut it off.
import { fail, isEdgePruneError } from '../../core/errors.ts';
import type { OnnxFile } from './onnx-file.ts';
import type { ConstTensor } from './onnx-tensor.ts';
import { describeNode, type OnnxNode } from './import-context.ts';

/** Operators that mark a post-processing tail (decoding reshapes, NMS, top-k selection). */
const POST_PROCESSING = new Set(['NonMaxSuppression', 'TopK', 'Reshape', 'Transpose', 'ArgMax', 'GatherElements', 'GatherND', 'NonZero', 'Where', 'ScatterND']);

/** What the importer knows when an output fails to convert. */
export interface TailView {
  file: OnnxFile;
  producer(tensor: string): OnnxNode | undefined;
  /** The tensor was converted to a Keras value (and is not the model input). */
  converted(tensor: string): boolean;
  isConstant(tensor: string): boolean;
}

/**
 * Walk back from the failing outputs through tensors that did not convert: the converted tensors
 * where the walk stops are the raw outputs to import (`--outputs`), and the earliest failing node
 * (in file order) all of whose computed inputs converted is the first node of the tail. `post`: the
 * tail holds a post-processing operator (so it is a decoding tail, not an unsupported layer mid-network).
 */
export function findTail(view: TailView, outputs: readonly string[]): { frontier: string[]; post: boolean; first?: OnnxNode } {
  const frontier = new Set<string>();
  const tailNodes = new Set<OnnxNode>();
  const seen = new Set<string>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop() as string;
    if (seen.has(t) || t === '') continue;
    seen.add(t);
    if (view.converted(t)) { frontier.add(t); continue; }
    const node = view.producer(t);
    if (!node || view.isConstant(t)) continue;
    tailNodes.add(node);
    stack.push(...(node.input ?? []));
  }
  const order = view.file.graph.node ?? [];
  const first = order.find((n) => tailNodes.has(n) && (n.input ?? []).some((t) => view.converted(t)) && (n.input ?? []).every((t) => t === '' || view.converted(t) || view.isConstant(t) || !view.producer(t)));
  const rank = new Map(order.flatMap((n, i) => (n.output ?? []).map((o) => [o, i] as const)));
  const post = [...tailNodes].some((n) => POST_PROCESSING.has(n.opType ?? ''));
  return { frontier: [...frontier].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0)), post, ...(first ? { first } : {}) };
}

/**
 * Re-raise an output's UNSUPPORTED_OP as a tail error when the graph ends in post-processing: it
 * names the first unsupported node and suggests the `--outputs` that import the raw outputs.
 */
export function failWithTail(view: TailView, outputs: readonly string[], error: unknown): never {
  if (!isEdgePruneError(error) || error.code !== 'UNSUPPORTED_OP') throw error;
  const { frontier, first, post } = findTail(view, outputs);
  if (frontier.length === 0 || !first || !post) throw error;
  const suggestion = `--outputs ${frontier.join(',')}`;
  return fail('UNSUPPORTED_OP', {
    expected: error.expected,
    found: `${error.found}, in a post-processing tail starting at ${describeNode(first, view.file.opset)}`,
    where: error.where,
    hint: `cut the decoding/NMS tail off and prune the raw outputs: rerun with ${suggestion} (the pruned model keeps those output names, so your decoding code keeps working)`,
  });
}

/** The tensors to import as outputs: `--outputs` (checked to be computed tensors) or the graph outputs. */
export function selectOutputs(file: OnnxFile, requested: readonly string[] | undefined, consts: Map<string, ConstTensor>): string[] {
  if (!requested || requested.length === 0) return (file.graph.output ?? []).map((o) => o.name ?? '');
  const produced = new Set((file.graph.node ?? []).flatMap((n) => n.output ?? []));
  const unknown = requested.filter((t) => !produced.has(t) || consts.has(t));
  if (unknown.length > 0) {
    const last = (file.graph.node ?? []).slice(-3).map((n) => `"${n.output?.[0] ?? ''}"`).join(', ');
    fail('INVALID_ARGUMENT', { expected: 'names of tensors computed by nodes of the graph', found: unknown.map((t) => `"${t}"`).join(', '), where: `--outputs (${file.path})`, hint: `tensor names look like ${last}; list them with a viewer such as Netron` });
  }
  return [...requested];
}
