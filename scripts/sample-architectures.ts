// The two bundled sample networks (VGG-style and ResNet-style, CIFAR-10 32×32×3), built with the tfjs Layers API.
import * as tf from '@tensorflow/tfjs';
import { createRandom, normalSample } from '../src/core/random.ts';
import type { ModelBundle } from '../src/core/types.ts';
import { bundleFromArtifacts } from '../src/bundle/artifacts.ts';

/** A VGG conv plan: channel counts, `M` = 2×2 max pool. */
export type VggPlan = Array<number | 'M'>;

/** The VGG-style sample's plan: three stages of two 3×3 convs, each stage ending in a max pool. */
export const SAMPLE_VGG_PLAN: VggPlan = [32, 32, 'M', 64, 64, 'M', 128, 128, 'M'];

/**
 * VGG-style CIFAR network: per plan entry a 3×3 same Conv2D (no bias) + BN + ReLU, 2×2 max pools,
 * then global average pooling and Dense 10 (logits).
 */
export function buildSampleVgg(plan: VggPlan = SAMPLE_VGG_PLAN, inputShape: [number, number, number] = [32, 32, 3]): tf.LayersModel {
  const input = tf.input({ name: 'input', shape: inputShape });
  let x: tf.SymbolicTensor = input;
  let conv = 0;
  let pool = 0;
  for (const item of plan) {
    if (item === 'M') {
      pool += 1;
      x = tf.layers.maxPooling2d({ name: `pool${pool}`, poolSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor;
      continue;
    }
    conv += 1;
    x = tf.layers.conv2d({ name: `conv${conv}`, filters: item, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'heNormal' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: `bn${conv}`, axis: -1, momentum: 0.9, epsilon: 1e-5 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `relu${conv}` }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'fc', units: 10 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ name: 'sample_vgg', inputs: input, outputs: out });
}

/** conv 3×3 (or 1×1) → BN, no conv bias. */
function convBn(x: tf.SymbolicTensor, name: string, filters: number, kernel: number, stride: number): tf.SymbolicTensor {
  const y = tf.layers.conv2d({ name: `${name}_conv`, filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: 'heNormal' }).apply(x) as tf.SymbolicTensor;
  return tf.layers.batchNormalization({ name: `${name}_bn`, axis: -1, momentum: 0.9, epsilon: 1e-5 }).apply(y) as tf.SymbolicTensor;
}

/**
 * ResNet-style CIFAR network (He et al. 2016, CIFAR variant): stem conv 3×3 + BN + ReLU, three
 * stages of `blocks` basic blocks (conv-BN-ReLU-conv-BN, Add with the shortcut, ReLU) at `widths`
 * channels, stride 2 at the start of stages 2 and 3 with a 1×1 conv + BN projection shortcut,
 * global average pooling, Dense 10 (logits).
 */
export function buildSampleResnet(blocks = 3, widths: [number, number, number] = [16, 32, 64]): tf.LayersModel {
  const input = tf.input({ name: 'input', shape: [32, 32, 3] });
  let x = convBn(input, 'stem', widths[0], 3, 1);
  x = tf.layers.reLU({ name: 'stem_relu' }).apply(x) as tf.SymbolicTensor;
  widths.forEach((width, s) => {
    for (let b = 0; b < blocks; b++) {
      const name = `s${s + 1}b${b + 1}`;
      const stride = s > 0 && b === 0 ? 2 : 1;
      let y = convBn(x, `${name}_a`, width, 3, stride);
      y = tf.layers.reLU({ name: `${name}_a_relu` }).apply(y) as tf.SymbolicTensor;
      y = convBn(y, `${name}_b`, width, 3, 1);
      const shortcut = stride === 1 ? x : convBn(x, `${name}_proj`, width, 1, stride);
      x = tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as tf.SymbolicTensor;
      x = tf.layers.reLU({ name: `${name}_relu` }).apply(x) as tf.SymbolicTensor;
    }
  });
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'fc', units: 10 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ name: 'sample_resnet', inputs: input, outputs: out });
}

/** A tfjs model as a bundle. */
export async function toBundle(model: tf.LayersModel): Promise<ModelBundle> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
  }));
  if (!captured) throw new Error('tfjs save handler was not called');
  return bundleFromArtifacts(captured);
}

/** Seeded initial weights: He-normal kernels, zero biases, BN γ=1 β=0 mean 0 variance 1. */
export function initializeWeights(bundle: ModelBundle, seed: number): ModelBundle {
  const random = createRandom(seed);
  const weights = bundle.weights.map((w) => {
    const data = new Float32Array(w.data.length);
    if (w.name.endsWith('/kernel')) {
      const fanIn = w.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const std = Math.sqrt((w.shape.length === 2 ? 1 : 2) / fanIn);
      for (let i = 0; i < data.length; i++) data[i] = normalSample(random) * std;
    } else if (w.name.endsWith('/gamma') || w.name.endsWith('/moving_variance')) data.fill(1);
    return { ...w, data };
  });
  return { ...bundle, weights };
}
