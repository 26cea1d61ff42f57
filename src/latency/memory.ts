// Memory accounting: model size per export format and quantization, peak live activations, budget checks.
import type { EXPORT_FORMATS, QUANTIZATIONS, Target } from '../core/schemas.ts';
import type { Graph } from '../core/types.ts';
import { findRule } from '../layers/rules.ts';
import { FLOAT_BYTES, describeWork, type LayerWork } from './layer-work.ts';

/** An export format. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** A weight encoding. */
export type Quantization = (typeof QUANTIZATIONS)[number];

/** Bytes per stored weight for each encoding. */
export const BYTES_PER_WEIGHT: Record<Quantization, number> = { float32: 4, float16: 2, uint8: 1 };

/** One megabyte as budgets count it: 2^20 bytes. */
export const MB = 1024 * 1024;

/** BatchNormalization folds into a layer that it directly follows when that layer's rule is a fusion host (conv, dense). */
const foldsInto = (className: string): boolean => findRule(className)?.cost.fusionHost === true;
/** Layers whose output is a view of their input at inference (no new buffer), per their rule. */
const aliasesInput = (className: string): boolean => findRule(className)?.cost.aliasesInput === true;

/** Whether an export folds BatchNormalization, as `exportBundle` does by default per format. */
export function foldsBatchNorm(format: ExportFormat, foldBatchNorm?: boolean): boolean {
  if (format === 'tfjs') return false;
  if (format === 'tfjs-graph') return true;
  return foldBatchNorm ?? false;
}

/**
 * Stored weight elements for an export format. `tfjs` (a Layers model) stores every weight as the
 * model holds it (BN moving statistics included), and so does `onnx` unless BatchNormalization is
 * folded (`exportBundle`'s `foldBn`). `tfjs-graph` always folds: a BatchNormalization that directly
 * follows a conv or dense layer vanishes into it (the layer gains a bias if it had none); any other
 * BatchNormalization becomes a scale and a shift vector.
 */
export function storedWeightElements(graph: Graph, format: ExportFormat, works: LayerWork[] = describeWork(graph), foldBatchNorm?: boolean): number {
  const total = works.reduce((n, w) => n + w.weightElements, 0);
  if (!foldsBatchNorm(format, foldBatchNorm)) return total;
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const elements = new Map(works.map((w) => [w.name, w.weightElements]));
  let stored = total;
  for (const node of graph.nodes) {
    if (findRule(node.className)?.cost.fusesAs?.(node.config)?.fusion !== 'batchnorm') continue;
    const channels = node.outputShape[node.outputShape.length - 1] ?? 0;
    const producer = node.inputs.length === 1 ? byName.get(node.inputs[0] as string) : undefined;
    stored -= elements.get(node.name) ?? 0;
    if (producer && foldsInto(producer.className)) {
      if (!('bias' in producer.weights)) stored += channels;
    } else {
      stored += 2 * channels;
    }
  }
  return stored;
}

/** Model file size in bytes for an export format and weight encoding (weights only; topology JSON excluded). */
export function modelSizeBytes(graph: Graph, format: ExportFormat, quantization: Quantization, foldBatchNorm?: boolean): number {
  return storedWeightElements(graph, format, undefined, foldBatchNorm) * BYTES_PER_WEIGHT[quantization];
}

/** Peak of the live activation tensors during one batch-1 float32 inference. */
export interface ActivationPeak {
  bytes: number;
  /** The layer executing when the peak is reached. */
  at: string;
  /** Names of the layers whose outputs are live at the peak. */
  live: string[];
}

/**
 * Peak activation memory: a layer's output is live from the layer until its last consumer has run
 * (the model input and outputs for the whole call); views (Flatten, Reshape, Dropout) share
 * their input's buffer.
 * Batch 1, float32; the peak is taken while each layer runs (its inputs and output both live).
 */
export function peakActivations(graph: Graph): ActivationPeak {
  const index = new Map(graph.nodes.map((n, i) => [n.name, i]));
  const root = new Map<string, string>();
  for (const node of graph.nodes) {
    const source = aliasesInput(node.className) && node.inputs.length === 1 ? node.inputs[0] : undefined;
    root.set(node.name, source ? (root.get(source) ?? source) : node.name);
  }
  const lastUse = new Map<string, number>();
  const end = graph.nodes.length;
  graph.nodes.forEach((node, i) => {
    const own = root.get(node.name) as string;
    lastUse.set(own, Math.max(lastUse.get(own) ?? i, i));
    for (const input of node.inputs) {
      const r = root.get(input) ?? input;
      lastUse.set(r, Math.max(lastUse.get(r) ?? i, i));
    }
  });
  // The caller holds the input tensor for the whole call, and the outputs survive it.
  for (const name of [...graph.inputs, ...graph.outputs]) lastUse.set(root.get(name) ?? name, end);
  const buffers = graph.nodes.filter((n) => root.get(n.name) === n.name);
  const sizeOf = (shape: number[]): number => shape.reduce((a, b) => a * b, 1) * FLOAT_BYTES;
  let best: ActivationPeak = { bytes: 0, at: graph.nodes[0]?.name ?? '', live: [] };
  graph.nodes.forEach((node, i) => {
    const live = buffers.filter((b) => (index.get(b.name) as number) <= i && (lastUse.get(b.name) as number) >= i);
    const bytes = live.reduce((n, b) => n + sizeOf(b.outputShape), 0);
    if (bytes > best.bytes) best = { bytes, at: node.name, live: live.map((b) => b.name) };
  });
  return best;
}

/** Memory figures of a graph for one export. */
export interface MemoryEstimate {
  /** Weight elements the model holds at run time (BN statistics included). */
  weightElements: number;
  /** Weights in memory at run time: runtimes dequantize to float32 on load. */
  weightsMb: number;
  /** Size of the exported weights in the chosen format and encoding. */
  modelSizeMb: number;
  peakActivationMb: number;
  /** Layer executing at the activation peak. */
  peakAt: string;
  /** Weights in memory plus peak activations: what the `memoryMb` budget bounds. */
  peakMb: number;
}

/** Memory figures for an export format and encoding (`foldBatchNorm` as passed to `exportBundle`). */
export function estimateMemory(graph: Graph, format: ExportFormat, quantization: Quantization, foldBatchNorm?: boolean): MemoryEstimate {
  const works = describeWork(graph);
  const weightElements = works.reduce((n, w) => n + w.weightElements, 0);
  const peak = peakActivations(graph);
  const weightsMb = (weightElements * FLOAT_BYTES) / MB;
  const peakActivationMb = peak.bytes / MB;
  return {
    weightElements,
    weightsMb,
    modelSizeMb: (storedWeightElements(graph, format, works, foldBatchNorm) * BYTES_PER_WEIGHT[quantization]) / MB,
    peakActivationMb,
    peakAt: peak.at,
    peakMb: weightsMb + peakActivationMb,
  };
}

/** One budget compared with a figure. */
export interface BudgetCheck {
  budget: 'latencyMs' | 'memoryMb' | 'modelSizeMb';
  limit: number;
  value: number;
  ok: boolean;
}

/**
 * Compare predicted latency and memory with a target's budget. The model size is checked for the
 * target's first export format and its quantization.
 */
export function checkBudget(
  figures: { latencyMs: number; memory: MemoryEstimate },
  budget: Pick<Target['budget'], 'latencyMs' | 'memoryMb' | 'modelSizeMb'>,
): BudgetCheck[] {
  const row = (name: BudgetCheck['budget'], limit: number, value: number): BudgetCheck => ({ budget: name, limit, value, ok: value <= limit });
  return [
    row('latencyMs', budget.latencyMs, figures.latencyMs),
    row('memoryMb', budget.memoryMb, figures.memory.peakMb),
    row('modelSizeMb', budget.modelSizeMb, figures.memory.modelSizeMb),
  ];
}
