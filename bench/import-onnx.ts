// Benchmark: time and memory of importing an ImageNet-size ResNet-18 ONNX file (built and exported here, seeded; goal: under 1.5 s).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { countCost } from '../src/analyze/cost.ts';
import { buildGraph } from '../src/analyze/graph.ts';
import { createNormal, createRandom } from '../src/core/random.ts';
import type { ModelBundle, WeightEntry } from '../src/core/types.ts';
import { buildOnnxModel } from '../src/export/onnx-graph.ts';
import { importOnnx } from '../src/import/onnx/import-onnx.ts';
import { TopologyBuilder, type Sym } from '../src/latency/calibration/probe-topology.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const THIS_FILE = fileURLToPath(import.meta.url);
/** Seed of the random weights. */
const SEED = 18;
/** Goal for the median import time, ms. */
const GOAL_MS = 1500;

/** The import figures of the ResNet-18 file. */
export interface ImportOnnxBench {
  /** The ONNX file timed (cached under the OS temp folder by content hash). */
  file: string;
  fileBytes: number;
  /** Parameters of the source model and of the imported one (countCost). */
  params: { source: number; imported: number };
  macs: number;
  /** Import time, median of `runs` after one warm-up, in this process. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
  /**
   * Memory of one import, measured in a fresh child process (`--expose-gc`, modules loaded and GC run
   * before): RSS and heap deltas of `process.memoryUsage()` around `importOnnx` with the bundle still
   * held, and the child's peak RSS (`process.resourceUsage().maxRSS`).
   */
  memory: { rssDeltaMb: number; heapDeltaMb: number; externalDeltaMb: number; arrayBuffersDeltaMb: number; peakRssMb: number; importMs: number };
}

/** A Keras functional ResNet-18 (224×224×3, 1000 classes; BasicBlocks [2, 2, 2, 2]) with seeded He-normal weights. */
export function buildResNet18(seed = SEED): ModelBundle {
  const b = new TopologyBuilder();
  const normal = createNormal(createRandom(seed));
  const weights: WeightEntry[] = [];
  const weight = (name: string, shape: number[], std: number, mean = 0): void => {
    const data = new Float32Array(shape.reduce((a, c) => a * c, 1));
    for (let i = 0; i < data.length; i++) data[i] = std === 0 ? mean : mean + std * normal();
    weights.push({ name, shape, dtype: 'float32', data });
  };
  const conv = (x: Sym, filters: number, kernel: number, stride: number, padding: 'same' | 'valid' = 'same'): Sym => {
    const [h = 1, w = 1, c = 1] = x.shape;
    const size = (n: number): number => (padding === 'same' ? Math.ceil(n / stride) : Math.floor((n - kernel) / stride) + 1);
    const config = { filters, kernel_size: [kernel, kernel], strides: [stride, stride], padding, data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: false };
    const y = b.add('Conv2D', config, [x], [size(h), size(w), filters], 'conv');
    weight(`${y.name}/kernel`, [kernel, kernel, c, filters], Math.sqrt(2 / (kernel * kernel * c)));
    return y;
  };
  const bn = (x: Sym): Sym => {
    const y = b.add('BatchNormalization', { axis: -1, momentum: 0.99, epsilon: 1e-5, center: true, scale: true }, [x], x.shape, 'bn');
    const c = x.shape[x.shape.length - 1] ?? 1;
    weight(`${y.name}/gamma`, [c], 0.05, 1);
    weight(`${y.name}/beta`, [c], 0.05);
    weight(`${y.name}/moving_mean`, [c], 0.05);
    weight(`${y.name}/moving_variance`, [c], 0, 1);
    return y;
  };
  const relu = (x: Sym): Sym => b.add('ReLU', {}, [x], x.shape, 'relu');
  const block = (x: Sym, filters: number, stride: number): Sym => {
    const main = bn(conv(relu(bn(conv(x, filters, 3, stride))), filters, 3, 1));
    const shortcut = stride === 1 && x.shape[2] === filters ? x : bn(conv(x, filters, 1, stride));
    return relu(b.add('Add', {}, [main, shortcut], main.shape, 'add'));
  };
  const input = b.input([224, 224, 3]);
  let x = relu(bn(conv(b.add('ZeroPadding2D', { padding: [[3, 3], [3, 3]], data_format: 'channels_last' }, [input], [230, 230, 3], 'pad'), 64, 7, 2, 'valid')));
  x = b.add('ZeroPadding2D', { padding: [[1, 1], [1, 1]], data_format: 'channels_last' }, [x], [114, 114, 64], 'pad');
  x = b.add('MaxPooling2D', { pool_size: [3, 3], strides: [2, 2], padding: 'valid', data_format: 'channels_last' }, [x], [56, 56, 64], 'maxpool');
  for (const [i, filters] of [64, 128, 256, 512].entries()) {
    x = block(x, filters, i === 0 ? 1 : 2);
    x = block(x, filters, 1);
  }
  x = b.add('GlobalAveragePooling2D', { data_format: 'channels_last' }, [x], [512], 'gap');
  const logits = b.add('Dense', { units: 1000, activation: 'linear', use_bias: true }, [x], [1000], 'dense');
  weight(`${logits.name}/kernel`, [512, 1000], Math.sqrt(1 / 512));
  weight(`${logits.name}/bias`, [1000], 0);
  const out = b.add('Softmax', {}, [logits], [1000], 'softmax');
  return { topology: b.build(input, out, 'resnet18'), weights, meta: { format: 'layers-model', generatedBy: 'edge-prune bench' } };
}

/**
 * The ResNet-18 as an ONNX file, written with the project's ONNX builder (`buildOnnxModel`; the
 * export stage's onnxruntime parity check of a 1.8 GMAC model is skipped) under the OS temp folder,
 * named by a hash of the topology and the seed (delete the folder after changing the exporter). Returns the path and the source bundle.
 */
export async function ensureResNet18Onnx(seed = SEED): Promise<{ path: string; bundle: ModelBundle }> {
  const bundle = buildResNet18(seed);
  const hash = createHash('sha256').update(JSON.stringify(bundle.topology)).update(String(seed)).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'edge-prune-bench');
  const path = join(dir, `resnet18-${hash}.onnx`);
  const cached = await stat(path).catch(() => null);
  if (!cached) {
    const built = buildOnnxModel(buildGraph(bundle), new Map(bundle.weights.map((w) => [w.name, w])), { name: 'resnet18' });
    await mkdir(dir, { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, built.bytes);
    await rename(partial, path);
  }
  return { path, bundle };
}

/** In a fresh child process (this file with `--memory`): memory of one import. */
function measureMemory(path: string): ImportOnnxBench['memory'] {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', THIS_FILE, '--memory', path], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as ImportOnnxBench['memory'];
}

/** The child's side of {@link measureMemory}: prints one JSON line. */
async function reportMemoryOfImport(path: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const bundle = await importOnnx(path);
  const importMs = performance.now() - t0;
  gc?.();
  const after = process.memoryUsage();
  const mb = (bytes: number): number => Number((bytes / 2 ** 20).toFixed(1));
  const memory: ImportOnnxBench['memory'] = {
    rssDeltaMb: mb(after.rss - before.rss),
    heapDeltaMb: mb(after.heapUsed - before.heapUsed),
    externalDeltaMb: mb(after.external - before.external),
    arrayBuffersDeltaMb: mb(after.arrayBuffers - before.arrayBuffers),
    peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
    importMs: Number(importMs.toFixed(1)),
  };
  if (bundle.weights.length === 0) throw new Error('imported no weights');
  console.log(JSON.stringify(memory));
}

/** Build (or reuse) the ResNet-18 ONNX file, check its size, time `runs` imports after one warm-up, and measure memory in a child. */
export async function benchImportOnnx(runs = 5): Promise<ImportOnnxBench> {
  const { path, bundle } = await ensureResNet18Onnx();
  const source = countCost(buildGraph(bundle), bundle);
  const warm = await importOnnx(path);
  const imported = countCost(buildGraph(warm), warm);
  if (Math.abs(imported.params - source.params) > 0.001 * source.params) throw new Error(`imported ${imported.params} params, the source has ${source.params}`);
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await importOnnx(path);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {
    file: path,
    fileBytes: (await stat(path)).size,
    params: { source: source.params, imported: imported.params },
    macs: source.macs,
    medianMs: times[Math.floor(times.length / 2)] as number,
    minMs: times[0] as number,
    maxMs: times[times.length - 1] as number,
    runs,
    memory: measureMemory(path),
  };
}

/** Text lines for the figures. */
export function describeImportOnnx(r: ImportOnnxBench): string[] {
  const m = r.memory;
  return [
    `ONNX import, ResNet-18 224×224×3 (${(r.params.imported / 1e6).toFixed(2)} M params, ${(r.macs / 1e9).toFixed(2)} GMACs, ${(r.fileBytes / 1e6).toFixed(1)} MB file; median of ${r.runs} after a warm-up; goal: under ${GOAL_MS} ms)`,
    `  import ${r.medianMs.toFixed(0).padStart(6)} ms  (min ${r.minMs.toFixed(0)}, max ${r.maxMs.toFixed(0)})${r.medianMs <= GOAL_MS ? '' : '  OVER GOAL'}`,
    `  memory (fresh child, process.memoryUsage around one import, result held): RSS +${m.rssDeltaMb} MB, heap +${m.heapDeltaMb} MB, external +${m.externalDeltaMb} MB (array buffers +${m.arrayBuffersDeltaMb} MB); peak RSS ${m.peakRssMb} MB; cold import ${m.importMs.toFixed(0)} ms`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--memory');
  if (at >= 0) await reportMemoryOfImport(process.argv[at + 1] ?? '');
  else for (const line of describeImportOnnx(await benchImportOnnx())) console.log(line);
}
