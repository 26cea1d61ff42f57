// Shared helpers of the ONNX import tests: the fixtures, seeded inputs, onnxruntime reference runs and logits views.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject, ModelBundle } from '../../src/core/types.ts';
import { convertNchwToNhwc, convertNhwcToNchw } from '../../src/export/parity.ts';
import { createValueInfo, decodeModel, encodeModel } from '../../src/export/onnx-tensors.ts';
import { createOnnxSession } from '../../src/runtime/onnx-session.ts';
import { createRng, hashSeed } from '../fixtures/random.ts';

/** Folder of the committed ONNX fixtures (made by scripts/make-onnx-fixtures.py). */
export const ONNX_FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/onnx');

/** Every committed fixture, by name → file, with what it exercises. */
export const ONNX_FIXTURES = {
  'vgg-opset11': 'vgg-opset11.onnx',
  'resnet-opset13': 'resnet-opset13.onnx',
  'mobilenetv2-opset12': 'mobilenetv2-opset12.onnx',
  'mobilenetv3-opset17': 'mobilenetv3-opset17.onnx',
  'efficientnet-opset13': 'efficientnet-opset13.onnx',
  'bn-kept-opset12': 'bn-kept-opset12.onnx',
  'constants-opset9': 'constants-opset9.onnx',
  'external-data': 'external-data/model.onnx',
  'float16-opset13': 'float16-opset13.onnx',
} as const;

/** A fixture name. */
export type OnnxFixture = keyof typeof ONNX_FIXTURES;

/** Fixture names in a stable order. */
export const ONNX_FIXTURE_NAMES = Object.keys(ONNX_FIXTURES) as OnnxFixture[];

/** Path of a fixture file. */
export function fixturePath(name: OnnxFixture): string {
  return join(ONNX_FIXTURE_DIR, ONNX_FIXTURES[name]);
}

/** Every fixture takes [N, 3, 32, 32] (Keras [32, 32, 3]). */
export const INPUT_HWC = [32, 32, 3];

/** A seeded channels-last input batch [n, 32, 32, 3] with values of the scale the fixtures saw (≈ N(0.3, 1.5)). */
export function seededInput(name: string, n: number): { data: Float32Array; shape: number[] } {
  const rng = createRng(hashSeed(name));
  const shape = [n, ...INPUT_HWC];
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal(0.3, 1.5);
  return { data, shape };
}

/** The ONNX graph's final Softmax input, when its (single) output comes from a Softmax. */
async function softmaxInput(bytes: Uint8Array): Promise<string | undefined> {
  const model = decodeModel(bytes);
  const out = model.graph?.output?.[0]?.name;
  const last = model.graph?.node?.find((n) => n.output?.includes(out ?? ''));
  return last?.opType === 'Softmax' ? (last.input?.[0] ?? undefined) : undefined;
}

/**
 * Run the original ONNX file in onnxruntime on a channels-last batch; returns channels-last outputs.
 * With `logits`, a model ending in Softmax returns the Softmax input instead (added as a graph output).
 */
export async function runOnnxReference(path: string, input: Float32Array, shape: number[], logits = true): Promise<Float32Array[]> {
  const bytes = new Uint8Array(await readFile(path));
  const before = logits ? await softmaxInput(bytes) : undefined;
  let source: string | Uint8Array = path;
  if (before) {
    const model = decodeModel(bytes);
    model.graph!.output = [createValueInfo(before, ['batch', 10])];
    source = encodeModel(model);
  }
  const session = await createOnnxSession(source);
  try {
    const [n, h, w, c] = shape as [number, number, number, number];
    const ran = await session.run({ [session.inputNames[0] as string]: { data: convertNhwcToNchw(input, shape), dims: [n, c, h, w] } });
    return session.outputNames.map((o) => {
      const t = ran[o] as { data: Float32Array; dims: number[] };
      return t.dims.length === 4 ? convertNchwToNhwc(t.data, [n, t.dims[2] as number, t.dims[3] as number, t.dims[1] as number]) : t.data;
    });
  } finally {
    await session.release();
  }
}

/** The bundle without a final Softmax layer (its logits), or the bundle itself when it ends otherwise. */
export function withoutFinalSoftmax(bundle: ModelBundle): ModelBundle {
  const config = (bundle.topology as { config: { layers: JsonObject[]; output_layers: unknown[][] } }).config;
  const last = config.layers.find((l) => l['name'] === config.output_layers[0]?.[0]);
  if (!last || last['class_name'] !== 'Softmax') return bundle;
  const inbound = (last['inbound_nodes'] as unknown[][][])[0]?.[0]?.[0] as string;
  const layers = config.layers.filter((l) => l !== last);
  return { ...bundle, topology: { ...bundle.topology, config: { ...config, layers, output_layers: [[inbound, 0, 0]] } } };
}

/** Largest |a - b| and the fidelity tolerance 1e-4·max(1, max|reference|). */
export function compareToReference(reference: Float32Array, got: Float32Array): { maxDiff: number; tolerance: number } {
  if (reference.length !== got.length) throw new Error(`output lengths differ: ${reference.length} vs ${got.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = Math.abs((reference[i] as number) - (got[i] as number));
    if (!(d <= maxDiff)) maxDiff = d;
    maxRef = Math.max(maxRef, Math.abs(reference[i] as number));
  }
  return { maxDiff, tolerance: 1e-4 * Math.max(1, maxRef) };
}
