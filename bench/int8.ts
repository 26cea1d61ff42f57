// Benchmark: float32 vs int8 (QDQ) ONNX on onnxruntime-node at 1 thread, and top-1 on the bundled test images for both.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../src/bundle/read-bundle.ts';
import { exportBundle } from '../src/export/export-bundle.ts';
import { loadCalibrationImages, parityImagesOf } from '../src/export/parity-images.ts';
import { convertNhwcToNchw, top1Accuracy } from '../src/export/parity.ts';
import { evaluationSplit, loadDataForModel } from '../src/data/load-data.ts';
import { createOnnxSession } from '../src/runtime/onnx-session.ts';
import { measureOnnx } from '../src/runtime/timer-onnx.ts';
import { median } from '../src/core/statistics.ts';
import { ensureFixture } from '../test/fixtures/build-fixtures.ts';
import { mobilenetV2Topology } from '../src/latency/calibration/calibration-probes.ts';
import { initializeBundle } from '../src/runtime/layers-model.ts';
import { uniformArray } from '../src/core/random.ts';
import type { ModelBundle } from '../src/core/types.ts';
import { analyzeModel } from '../src/analyze/analyze-model.ts';
import { loadProfile } from '../src/targets/load-targets.ts';
import { predictLatency } from '../src/latency/latency-model.ts';

/** One model's float32 and int8 figures. */
export interface Int8Row {
  model: string;
  float32: { medianMs: number; minMs: number; bytes: number; top1: number | null };
  int8: { medianMs: number; minMs: number; bytes: number; top1: number | null };
  /** float32 median / int8 median. */
  speedup: number;
  /** Top-1 agreement of int8 with float32 on the test images. */
  agreement: number;
  /** The host profile's predicted onnxruntime-node ms (float32 and int8 costs), null without int8 costs. */
  predicted: { float32: number; int8: number } | null;
  testImages: number;
}

/** The host profile's prediction for a bundle on onnxruntime-node in float32 and in int8 (null when the profile has no int8 costs). */
function predictedMs(bundle: ModelBundle): Int8Row['predicted'] {
  const profile = loadProfile('host');
  if (!profile.runtimes['onnxruntime-node']?.int8) return null;
  const graph = analyzeModel(bundle).graph;
  return { float32: predictLatency(graph, profile, 'onnxruntime-node').totalMs, int8: predictLatency(graph, profile, 'onnxruntime-node', 'int8').totalMs };
}

/** Latency alone of a MobileNetV2 1.0 at 224×224 (initialized weights, calibrated on 16 seeded uniform inputs): float32 vs int8. */
async function mobilenet224(dir: string, runs: number): Promise<Int8Row> {
  const bundle: ModelBundle = await initializeBundle(mobilenetV2Topology(224, 1));
  const per = 224 * 224 * 3;
  const calibration = { data: uniformArray(16 * per, 3, -1, 1), count: 16, source: 'seeded uniform inputs' };
  const f32 = await exportBundle(bundle, { formats: ['onnx'], outDir: join(dir, 'mnv2-f32'), weights: 'float32', samples: 2 });
  // Random weights: agreement on noise is reported, not required (INT8 images = the calibration batch).
  let q: typeof f32;
  try {
    q = await exportBundle(bundle, { formats: ['onnx'], outDir: join(dir, 'mnv2-int8'), weights: 'float32', quantize: 'int8', calibration: { images: calibration }, samples: 2 });
  } catch (error) {
    throw new Error(`mobilenetv2-224 int8: ${(error as Error).message}`);
  }
  const t = async (result: typeof f32): Promise<{ medianMs: number; minMs: number; bytes: number; top1: null }> => {
    const r = await measureOnnx(join(result.outDir, 'onnx/model.onnx'), { inputDims: [1, 3, 224, 224], threads: 1, warmup: 5, runs });
    return { medianMs: median(r.runsMs), minMs: Math.min(...r.runsMs), bytes: result.totalBytes, top1: null };
  };
  const tf = await t(f32);
  const tq = await t(q);
  return { model: 'mobilenetv2-224', float32: tf, int8: tq, speedup: tf.medianMs / tq.medianMs, agreement: q.formats[0]?.parity.images?.top1Agreement ?? 0, testImages: 16, predicted: predictedMs(bundle) };
}

const DATA = 'samples/data';

/** Top-1 predictions and accuracy of an ONNX file on channels-last images, in batches of 100. */
async function predictAll(path: string, images: { data: Float32Array; count: number; labels?: Int32Array }, shape: number[], classes: number): Promise<{ outputs: Float32Array; top1: number | null }> {
  const session = await createOnnxSession(path, { threads: 1 });
  const per = images.data.length / images.count;
  const outputs = new Float32Array(images.count * classes);
  try {
    for (let s = 0; s < images.count; s += 100) {
      const n = Math.min(100, images.count - s);
      const hwc = [n, ...shape];
      const data = convertNhwcToNchw(images.data.subarray(s * per, (s + n) * per), hwc);
      const out = await session.run({ [session.inputNames[0] as string]: { data, dims: [n, shape[2] as number, shape[0] as number, shape[1] as number] } });
      outputs.set((out[session.outputNames[0] as string] as { data: Float32Array }).data, s * classes);
    }
  } finally {
    await session.release();
  }
  return { outputs, top1: images.labels ? top1Accuracy(outputs, classes, images.labels) : null };
}

/** Fraction of rows whose arg-max agrees. */
function agreement(a: Float32Array, b: Float32Array, classes: number): number {
  const labels = Int32Array.from({ length: a.length / classes }, (_, r) => {
    let best = 0;
    for (let j = 1; j < classes; j++) if ((a[r * classes + j] as number) > (a[r * classes + best] as number)) best = j;
    return best;
  });
  return top1Accuracy(b, classes, labels);
}

/** Float32 vs int8 on each sample and the MobileNetV2 fixture: 1-thread onnxruntime-node latency and top-1 on every bundled test image. */
export async function benchInt8(options: { runs?: number; mobilenet224?: boolean; onRow?: (row: Int8Row) => void } = {}): Promise<Int8Row[]> {
  const models = [
    { name: 'samples/vgg', path: 'samples/vgg/model.json' },
    { name: 'samples/resnet', path: 'samples/resnet/model.json' },
    { name: 'mobilenetv2 fixture', path: await ensureFixture('mobilenetv2') },
  ];
  const rows: Int8Row[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'ep-bench-int8-'));
  try {
    for (const m of models) {
      const bundle = await readBundle(m.path);
      const { calibration } = await loadCalibrationImages(bundle, DATA, 256, 1);
      const test = evaluationSplit(await loadDataForModel(bundle, DATA, { purpose: 'evaluation' }));
      const all = parityImagesOf(bundle, test, test.labels.length, DATA);
      const f32 = await exportBundle(bundle, { formats: ['onnx'], outDir: join(dir, `${rows.length}-f32`), weights: 'float32' });
      const q = await exportBundle(bundle, { formats: ['onnx'], outDir: join(dir, `${rows.length}-int8`), weights: 'float32', quantize: 'int8', calibration: { images: calibration } });
      const shape = f32.inputShape;
      const classes = f32.outputShapes[0]?.at(-1) ?? 1;
      const time = async (result: typeof f32): Promise<{ medianMs: number; minMs: number; bytes: number }> => {
        const file = join(result.outDir, result.formats[0]?.entry ?? '');
        const t = await measureOnnx(file, { inputDims: [1, shape[2] as number, shape[0] as number, shape[1] as number], threads: 1, warmup: 20, runs: options.runs ?? 200 });
        return { medianMs: median(t.runsMs), minMs: Math.min(...t.runsMs), bytes: result.totalBytes };
      };
      const pf = await predictAll(join(f32.outDir, 'onnx/model.onnx'), all, shape, classes);
      const pq = await predictAll(join(q.outDir, 'onnx/model.onnx'), all, shape, classes);
      const tf = await time(f32);
      const tq = await time(q);
      const row: Int8Row = { model: m.name, float32: { ...tf, top1: pf.top1 }, int8: { ...tq, top1: pq.top1 }, speedup: tf.medianMs / tq.medianMs, agreement: agreement(pf.outputs, pq.outputs, classes), testImages: all.count, predicted: predictedMs(bundle) };
      options.onRow?.(row);
      rows.push(row);
    }
    if (options.mobilenet224 !== false) {
      const row = await mobilenet224(dir, 30);
      options.onRow?.(row);
      rows.push(row);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

/** Header of the int8 table. */
export const INT8_HEADER = '  model                float32 ms (min)   int8 ms (min)    speed-up  KB f32→int8   top-1 f32 → int8   agreement';

/** One table line. */
export function describeInt8Row(r: Int8Row): string {
  const pct = (v: number | null): string => (v === null ? '   —  ' : `${(100 * v).toFixed(1)}%`);
  return `  ${r.model.padEnd(20)} ${r.float32.medianMs.toFixed(3).padStart(7)} (${r.float32.minMs.toFixed(3)})  ${r.int8.medianMs.toFixed(3).padStart(7)} (${r.int8.minMs.toFixed(3)})  ${r.speedup.toFixed(2).padStart(6)}×  ${(r.float32.bytes / 1024).toFixed(0).padStart(5)}→${(r.int8.bytes / 1024).toFixed(0).padEnd(5)}  ${pct(r.float32.top1)} → ${pct(r.int8.top1)}   ${pct(r.agreement)} of ${r.testImages}`;
}

/** Header of the predicted-vs-measured table (min ms: the calibration fits minimums; the int8/float32 ratio does not depend on host load). */
export const INT8_PREDICTED_HEADER = '  model                f32 pred / min ms   int8 pred / min ms   int8/f32 predicted  measured';

/** One predicted-vs-measured line, or a note when the host profile has no int8 costs. */
export function describeInt8Prediction(r: Int8Row): string {
  if (!r.predicted) return `  ${r.model.padEnd(20)} (no int8 costs in profiles/host.json: run edge-prune calibrate --runtime onnxruntime-node --compute int8)`;
  const p = r.predicted;
  return `  ${r.model.padEnd(20)} ${p.float32.toFixed(3).padStart(7)} / ${r.float32.minMs.toFixed(3).padEnd(8)}  ${p.int8.toFixed(3).padStart(7)} / ${r.int8.minMs.toFixed(3).padEnd(8)}   ${(p.int8 / p.float32).toFixed(2).padStart(6)}×           ${(r.int8.minMs / r.float32.minMs).toFixed(2)}×`;
}
