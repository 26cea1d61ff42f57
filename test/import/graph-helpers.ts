// Graph-model test helpers: export a Layers bundle as a TF.js graph model, and run a graph model with tf.loadGraphModel.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelBundle } from '../../src/core/types.ts';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { loadGraphModelFromDisk } from '../../src/runtime/graph-model.ts';

/** Export `bundle` as a TF.js graph model under `dir`; returns the path of its model.json. */
export async function exportAsGraphModel(bundle: ModelBundle, dir: string): Promise<string> {
  await exportBundle(bundle, { formats: ['tfjs-graph'], outDir: dir });
  const files = (await readdir(dir, { recursive: true })) as string[];
  const modelJson = files.find((f) => f.endsWith('model.json'));
  if (!modelJson) throw new Error(`no model.json under ${dir}`);
  return join(dir, modelJson);
}

/** Run a graph model with tfjs-converter (the reference), on the named output nodes or its own outputs. */
export async function runGraphReference(path: string, input: Float32Array, shape: number[], outputs?: string[]): Promise<Float32Array[]> {
  const model = await loadGraphModelFromDisk(path);
  try {
    const results = tf.tidy(() => {
      const x = tf.tensor(input, shape, 'float32');
      const y = outputs ? model.execute(x, outputs) : model.predict(x);
      return Array.isArray(y) ? y : y instanceof tf.Tensor ? [y] : Object.values(y);
    });
    try {
      const values: Float32Array[] = [];
      for (const t of results) values.push(Float32Array.from(await t.data()));
      return values;
    } finally {
      tf.dispose(results);
    }
  } finally {
    model.dispose();
  }
}
