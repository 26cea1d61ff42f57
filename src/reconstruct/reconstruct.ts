// Reconstruction after pruning: refit every weighted layer, in topological order, so its output on data images matches the unpruned model's (ridge least squares).
import type { ChannelGroup, GraphNode, ModelBundle, PrunePlan } from '../core/types.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { createRandom, hashString } from '../core/random.ts';
import { buildGraph } from '../analyze/graph.ts';
import { readChoice, readInt, readPair } from '../layers/config.ts';
import { fillBatch } from '../data/batches.ts';
import { countImages, imageBytes, shuffledIndices, type ImageDataset } from '../data/dataset.ts';
import { DEFAULT_NORMALIZATION, normalizationTable, readNormalization } from '../data/normalization.ts';
import { keptIndices } from '../prune/apply-plan.ts';
import { FeatureTaps, type LayerGeometry, type LayerSystem } from '../runtime/layer-statistics.ts';
import { ridgeSolve } from './ridge.ts';

/** Options of reconstruction. */
export interface ReconstructOptions {
  /** Data images (forward passes only; default 1024, at most the dataset's). */
  images?: number;
  /** Ridge strength relative to the mean diagonal of XᵀX (default 1e-3); the ridge pulls toward the pruned weights. */
  ridge?: number;
  /** Images per forward pass (default 64). */
  batch?: number;
  seed?: number;
  backend?: string;
  logger?: Logger;
}

/** What reconstruction did to one layer; errors are ‖XW − Y‖² / ‖Y‖² on the sampled rows. */
export interface LayerFit {
  layer: string;
  kind: LayerGeometry['kind'];
  rows: number;
  cols: number;
  errorBefore: number;
  errorAfter: number;
}

/** The reconstructed bundle and what was refitted. */
export interface ReconstructResult {
  bundle: ModelBundle;
  layers: LayerFit[];
  images: number;
  seconds: number;
}

const KINDS: Record<string, LayerGeometry['kind']> = { Conv2D: 'conv', DepthwiseConv2D: 'depthwise', Dense: 'dense' };

/** The geometry of a weighted node, or null when reconstruction leaves it alone (reads the model input, grouped conv, Dense on a non-flat input). */
function geometryOf(node: GraphNode, byName: Map<string, GraphNode>): LayerGeometry | null {
  const kind = KINDS[node.className];
  if (!kind || node.inputs.length !== 1) return null;
  const input = byName.get(node.inputs[0] as string);
  if (!input || input.className === 'InputLayer') return null;
  const c = node.config;
  const useBias = c['use_bias'] !== false;
  if (kind === 'dense') return input.outputShape.length === 1 ? { name: node.name, kind, kernel: [1, 1], strides: [1, 1], dilation: [1, 1], padding: 'valid', output: [1, 1], useBias } : null;
  if (readInt(c, 'groups', node.name, 1) !== 1 || (kind === 'depthwise' && readInt(c, 'depth_multiplier', node.name, 1) !== 1)) return null;
  return {
    name: node.name, kind, useBias,
    kernel: readPair(c, 'kernel_size', node.name),
    strides: readPair(c, 'strides', node.name, 1),
    dilation: readPair(c, 'dilation_rate', node.name, 1),
    padding: readChoice(c, 'padding', node.name, ['same', 'valid'], 'valid'),
    output: [node.outputShape[0] as number, node.outputShape[1] as number],
  };
}

/** `count` distinct positions of `total`, seeded (partial Fisher–Yates). */
function samplePositions(total: number, count: number, random: () => number): Int32Array {
  if (count >= total) return Int32Array.from({ length: total }, (_, i) => i);
  const all = Int32Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (total - i));
    [all[i], all[j]] = [all[j] as number, all[i] as number];
  }
  return all.slice(0, count);
}

/** ΔᵀGΔ − 2ΔᵀC for one block (Δ is cols×m): added to ‖R‖² it gives ‖R − XΔ‖². */
function residualChange(gram: Float64Array, cross: Float64Array, d: Float64Array, cols: number, m: number): number {
  let quad = 0;
  let lin = 0;
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < cols; i++) {
      const di = d[i * m + c] as number;
      if (di === 0) continue;
      lin += di * (cross[i * m + c] as number);
      let gd = 0;
      for (let j = 0; j < cols; j++) gd += (gram[i * cols + j] as number) * (d[j * m + c] as number);
      quad += di * gd;
    }
  }
  return quad - 2 * lin;
}

/** Solve one layer's system for the weight change, write the refitted weights; returns the relative errors ‖Y − XW‖² / ‖Y‖² before and after. */
function refit(taps: FeatureTaps, g: LayerGeometry, s: LayerSystem, ridge: number): { before: number; after: number } {
  const { kernel, bias } = taps.weightsOf(g.name);
  const yy = Math.max(s.yy, 1e-30);
  const before = s.rr / yy;
  if (g.kind !== 'depthwise') {
    const m = s.outputs;
    const d = ridgeSolve(s.gram, s.cross, new Float64Array(s.cols * m), s.cols, m, ridge);
    const newKernel = Float32Array.from(kernel, (v, i) => v + (d[i] as number));
    const newBias = g.useBias && bias ? Float32Array.from(bias, (v, i) => v + (d[kernel.length + i] as number)) : null;
    taps.setWeights(g.name, newKernel, newBias);
    return { before, after: (s.rr + residualChange(s.gram, s.cross, d, s.cols, m)) / yy };
  }
  // Depthwise: one small system per channel; kernel [kh, kw, C, 1] holds channel c at t·C + c.
  const channels = s.outputs;
  const k1 = s.cols;
  const kk = kernel.length / channels;
  const newKernel = Float32Array.from(kernel);
  const newBias = bias ? Float32Array.from(bias) : null;
  let change = 0;
  for (let c = 0; c < channels; c++) {
    const gram = s.gram.subarray(c * k1 * k1, (c + 1) * k1 * k1);
    const cross = s.cross.subarray(c * k1, (c + 1) * k1);
    const d = ridgeSolve(gram, cross, new Float64Array(k1), k1, 1, ridge);
    for (let t = 0; t < kk; t++) (newKernel[t * channels + c] as number) += d[t] as number;
    if (newBias && g.useBias) (newBias[c] as number) += d[kk] as number;
    change += residualChange(gram, cross, d, k1, 1);
  }
  taps.setWeights(g.name, newKernel, newBias);
  return { before, after: (s.rr + change) / yy };
}

/**
 * Refit the pruned model's Conv2D, DepthwiseConv2D and Dense layers (He et al. 2017, ThiNet) layer
 * by layer in topological order: each layer's weights become the ridge least-squares fit (toward
 * its pruned weights) from its input in the partly reconstructed pruned model (solved for the change of the weights, so an unchanged layer stays exactly as it was) to the unpruned
 * layer's pre-activation output on the kept channels, over sampled output positions of `images`
 * data images. Features stream batch by batch, so memory stays bounded by the normal equations.
 * Layers reading the model input are left alone (their input is unchanged). BatchNormalization
 * statistics are the unpruned model's: a reconstructed layer's output matches what they describe.
 */
export async function reconstruct(original: ModelBundle, pruned: ModelBundle, groups: readonly ChannelGroup[], plan: PrunePlan, data: ImageDataset, options: ReconstructOptions = {}): Promise<ReconstructResult> {
  const t0 = performance.now();
  const logger = options.logger ?? silentLogger;
  const seed = options.seed ?? 0;
  const ridge = options.ridge ?? 1e-3;
  const kept = keptIndices(original, groups, plan);
  const graph = buildGraph(original, { lockUnknown: true });
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const n = Math.max(1, Math.min(options.images ?? 1024, countImages(data)));
  const order = shuffledIndices(countImages(data), seed + 101);
  const lut = normalizationTable(readNormalization(original) ?? DEFAULT_NORMALIZATION, data.shape[2]);
  const batchSize = options.batch ?? 64;
  const batches: { data: Float32Array; shape: number[] }[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const buffer = new Float32Array(count * imageBytes(data));
    fillBatch(data, order.subarray(start, start + count), lut, buffer);
    batches.push({ data: buffer, shape: [count, ...data.shape] });
  }
  const originalTaps = await FeatureTaps.open(original, options.backend);
  const prunedTaps = await FeatureTaps.open(pruned, options.backend);
  const layers: LayerFit[] = [];
  try {
    for (const node of graph.nodes) {
      const g = geometryOf(node, byName);
      if (!g) continue;
      const kernelName = node.weights[g.kind === 'depthwise' ? 'depthwise_kernel' : 'kernel'] ?? `${g.name}/kernel`;
      const full = original.weights.find((w) => w.name === kernelName)?.shape ?? [];
      const outAxis = g.kind === 'depthwise' ? 2 : full.length - 1;
      const keptOut = kept.get(kernelName)?.[outAxis] ?? Array.from({ length: full[outAxis] ?? 0 }, (_, i) => i);
      const cols = g.kind === 'dense' ? 1 : g.kernel[0] * g.kernel[1] * (g.kind === 'depthwise' ? 1 : ((kept.get(kernelName)?.[2]?.length ?? full[2]) as number));
      const perImage = Math.min(g.output[0] * g.output[1], Math.max(16, Math.ceil((8 * cols) / n)));
      const random = createRandom(hashString(g.name, seed));
      const system = prunedTaps.system(originalTaps, { geometry: g, keptOut, positions: () => samplePositions(g.output[0] * g.output[1], perImage, random) }, batches);
      const { before, after } = refit(prunedTaps, g, system, ridge);
      layers.push({ layer: g.name, kind: g.kind, rows: system.rows, cols: system.cols, errorBefore: before, errorAfter: after });
      logger.info(`  reconstruct ${g.name} (${g.kind}, ${system.rows} rows × ${system.cols} columns): output error ${(before * 100).toFixed(2)}% → ${(after * 100).toFixed(2)}%`);
    }
    return { bundle: prunedTaps.toBundle(pruned), layers, images: n, seconds: (performance.now() - t0) / 1000 };
  } finally {
    prunedTaps.dispose();
    originalTaps.dispose();
  }
}
