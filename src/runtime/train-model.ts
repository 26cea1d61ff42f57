// A bundle as a trainable tfjs LayersModel on the active backend, and the bundle read back from it.
import * as tf from '@tensorflow/tfjs';
import { EdgePruneError, fail } from '../core/errors.ts';
import type { ModelBundle, WeightEntry } from '../core/types.ts';
import { bundleToArtifacts } from '../bundle/artifacts.ts';
import { buildGraph } from '../analyze/graph.ts';
import { installActivationLayers } from './activation-layers.ts';

/**
 * Build a tfjs LayersModel from a bundle on the current backend (it does not switch backends).
 * The caller owns the model and must `dispose()` it.
 */
export async function buildTrainableModel(bundle: ModelBundle): Promise<tf.LayersModel> {
  installActivationLayers();
  const artifacts = bundleToArtifacts(bundle);
  let model: tf.LayersModel | undefined;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: bundle.topology as tf.serialization.ConfigDict });
    const named = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), artifacts.weightSpecs ?? []);
    try {
      model.loadWeights(named, true);
    } finally {
      tf.dispose(Object.values(named));
    }
    return model;
  } catch (error) {
    model?.dispose();
    if (error instanceof EdgePruneError) throw error;
    throw new EdgePruneError(
      'INVALID_MODEL',
      { expected: 'a topology and weights tfjs can load', found: (error as Error).message, where: 'tfjs Layers model', hint: 'the bundle topology or weights do not match; check the layer configs' },
      { cause: error },
    );
  }
}

/** The model's variables by manifest name (`layer/weight`). */
export function variablesByName(model: tf.LayersModel): Map<string, tf.LayerVariable> {
  return new Map(model.weights.map((w) => [w.originalName, w]));
}

/** A copy of `bundle` whose weights hold the model's current values (same names, order and shapes). */
export function readModelWeights(model: tf.LayersModel, bundle: ModelBundle): ModelBundle {
  const byName = variablesByName(model);
  const weights: WeightEntry[] = bundle.weights.map((w) => {
    const v = byName.get(w.name);
    if (!v) fail('INTERNAL', { expected: `a model variable named ${w.name}`, found: 'none', where: 'readModelWeights', hint: 'the model was not built from this bundle' });
    const data = v.read().dataSync();
    if (data.length !== w.data.length) fail('INTERNAL', { expected: `${w.data.length} values`, found: `${data.length}`, where: `weight ${w.name}`, hint: 'the model was not built from this bundle' });
    return { name: w.name, shape: [...w.shape], dtype: w.dtype, data: Float32Array.from(data as Float32Array) };
  });
  return { topology: bundle.topology, weights, meta: bundle.meta };
}

/** Does the model end in a softmax (its outputs are probabilities, not logits)? */
export function outputsProbabilities(bundle: ModelBundle): boolean {
  const graph = buildGraph(bundle, { lockUnknown: true });
  const out = graph.nodes.find((n) => n.name === graph.outputs[0]);
  if (!out) return false;
  return out.className === 'Softmax' || out.config['activation'] === 'softmax';
}

/** Logits from a model output: the output itself, or log-probabilities when the model ends in softmax. */
export function toLogits(output: tf.Tensor, probabilities: boolean): tf.Tensor2D {
  const y = output as tf.Tensor2D;
  return probabilities ? tf.log(tf.clipByValue(y, 1e-7, 1)) : y;
}

/** The single output tensor of `model.apply`, with a typed error for multi-output models. */
export function singleOutput(y: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[]): tf.Tensor {
  if (Array.isArray(y)) {
    if (y.length !== 1) fail('INVALID_MODEL', { expected: 'a model with one output', found: `${y.length} outputs`, where: 'model output', hint: 'fine-tuning supports single-output classifiers' });
    return y[0] as tf.Tensor;
  }
  return y as tf.Tensor;
}
