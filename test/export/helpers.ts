// Test helpers for the exporters: bundles from tfjs Layers models, temp folders, ONNX runs, conformance tensors.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import onnxProto from 'onnx-proto';
import type { ModelBundle } from '../../src/core/types.ts';
import { bundleFromArtifacts } from '../../src/bundle/artifacts.ts';
import { ensureBackend } from '../../src/runtime/layers-model.ts';
import { buildGraph } from '../../src/analyze/graph.ts';
import { buildOnnxModel, type OnnxBuildOptions } from '../../src/export/onnx-graph.ts';
import { createOnnxSession } from '../../src/runtime/onnx-session.ts';

/** A bundle from a tfjs Layers model built in the test (its own initial weights), after the backend is ready. */
export async function bundleFromModel(build: () => tf.LayersModel): Promise<ModelBundle> {
  await ensureBackend();
  const model = build();
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  if (!captured) throw new Error('save handler not called');
  return bundleFromArtifacts(captured);
}

/** Replace weights of a bundle by name (values must match the shapes). */
export function setWeights(bundle: ModelBundle, values: Record<string, Float32Array>): ModelBundle {
  return { ...bundle, weights: bundle.weights.map((w) => (values[w.name] ? { ...w, data: values[w.name] as Float32Array } : w)) };
}

/** A fresh temporary folder; remove it with `cleanup`. */
export async function tempFolder(tag: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `edge-prune-${tag}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Export a bundle to ONNX in memory and run it on one raw input tensor (physical layout as the graph wants). */
export async function runOnnxExport(bundle: ModelBundle, data: Float32Array, dims: number[], options: OnnxBuildOptions = {}): Promise<{ data: Float32Array; dims: number[] }> {
  const built = buildOnnxModel(buildGraph(bundle), new Map(bundle.weights.map((w) => [w.name, w])), options);
  const session = await createOnnxSession(built.bytes);
  try {
    const out = await session.run({ [built.inputs[0]?.name ?? '']: { data, dims } });
    return out[built.outputs[0]?.name ?? ''] ?? { data: new Float32Array(0), dims: [] };
  } finally {
    await session.release();
  }
}

/** Folder of the ONNX conformance cases the tests use (copied from ONNX's node tests; see its README.md). */
export const CONFORMANCE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'conformance');

/** Read one conformance tensor (`input_0.pb`, `output_0.pb`) as float32 or uint8 values. */
export function readConformanceTensor(path: string): { dims: number[]; data: Float32Array | Uint8Array } {
  const t = onnxProto.onnx.TensorProto.decode(readFileSync(path));
  const dims = t.dims.map((d) => Number(d));
  const raw = t.rawData;
  if (t.dataType === 2) return { dims, data: raw.length ? Uint8Array.from(raw) : Uint8Array.from(t.int32Data) };
  if (raw.length) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return { dims, data: Float32Array.from({ length: raw.byteLength / 4 }, (_, i) => view.getFloat32(4 * i, true)) };
  }
  return { dims, data: Float32Array.from(t.floatData) };
}

/** Largest absolute difference of two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** Folder of the golden printed ONNX graphs. */
const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');

/** Compare text with a golden file; `UPDATE_GOLDEN=1` rewrites it. */
export async function assertGolden(name: string, text: string): Promise<void> {
  const path = join(GOLDEN_DIR, name);
  if (process.env['UPDATE_GOLDEN'] === '1') await writeFile(path, text);
  assert.ok(existsSync(path), `golden file ${path} is missing: run UPDATE_GOLDEN=1 npm test -- test/export`);
  assert.equal(text, await readFile(path, 'utf8'), `printed ONNX graph differs from ${path} (UPDATE_GOLDEN=1 to accept)`);
}
