// A functional model that exercises the exporters' corner cases: odd sizes, asymmetric 'same' pads, dilation, every merge.
import * as tf from '@tensorflow/tfjs';

type T = tf.SymbolicTensor;
const on = (layer: tf.layers.Layer, x: T | T[]): T => layer.apply(x) as T;

/**
 * Input 15×13×4 (odd sizes make Keras 'same' padding asymmetric). Covers: Conv2D with a 3×4 kernel at
 * stride 2 (pads 1/1 and 1/2), dilation 2 without bias, fused activations (tanh, swish, hardSigmoid,
 * selu, softsign), depthwise stride 2, separable valid, BN after an activation (not foldable) and after
 * a Dense, avg pool 'same' 2×2/2 on an odd size (asymmetric padding, excluded), max pool, ZeroPadding2D, a squeeze-excite
 * Multiply with broadcasting, a 3-input Add, Maximum/Minimum/Average, Concatenate of an NCHW map with a
 * Reshape'd one, ReLU(max 3), LeakyReLU, ELU, Dense on a rank-3 map, Flatten feeding a
 * Concatenate (not a Dense), Dropout, Softmax; two outputs (logits and an image).
 */
export function buildLayerVariants(): tf.LayersModel {
  const input = tf.input({ name: 'image', shape: [15, 13, 4] });
  const a = on(tf.layers.conv2d({ name: 'conv_s2', filters: 6, kernelSize: [3, 4], strides: 2, padding: 'same', activation: 'tanh' }), input);
  const b = on(tf.layers.conv2d({ name: 'conv_dil', filters: 6, kernelSize: 3, dilationRate: 2, padding: 'same', useBias: false, activation: 'swish' }), a);
  const c = on(tf.layers.depthwiseConv2d({ name: 'dw_s2', kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6' }), b);
  const d = on(tf.layers.separableConv2d({ name: 'sep', filters: 8, kernelSize: 2, padding: 'valid', activation: 'hardSigmoid' }), c);
  const e = on(tf.layers.batchNormalization({ name: 'bn_after_act' }), d);
  // squeeze-excite: GAP → Dense → Reshape(1,1,C) → Multiply
  const squeeze = on(tf.layers.globalAveragePooling2d({ name: 'se_gap' }), e);
  const excite = on(tf.layers.dense({ name: 'se_fc', units: 8, activation: 'sigmoid' }), squeeze);
  const gate = on(tf.layers.reshape({ name: 'se_reshape', targetShape: [1, 1, 8] }), excite);
  const f = on(tf.layers.multiply({ name: 'se_mul' }), [e, gate]);
  const g1 = on(tf.layers.reLU({ name: 'relu_max3', maxValue: 3 }), f);
  const g2 = on(tf.layers.leakyReLU({ name: 'leaky', alpha: 0.2 }), f);
  const g3 = on(tf.layers.elu({ name: 'elu' }), f);
  const sub = on(tf.layers.add({ name: 'add3' }), [g1, g2, g3]);
  const max = on(tf.layers.maximum({ name: 'max' }), [sub, g3]);
  const min = on(tf.layers.minimum({ name: 'min' }), [g1, g3]);
  const avg = on(tf.layers.average({ name: 'avg' }), [max, min, g2]);
  const padded = on(tf.layers.zeroPadding2d({ name: 'zpad', padding: 1 }), avg);
  const pooled = on(tf.layers.averagePooling2d({ name: 'avgpool_same', poolSize: 2, strides: 2, padding: 'same' }), padded);
  const maxed = on(tf.layers.maxPooling2d({ name: 'maxpool', poolSize: 2, strides: 1 }), padded);
  const mp = on(tf.layers.conv2d({ name: 'proj', filters: 5, kernelSize: 1, activation: 'selu' }), maxed);
  // A Reshape'd (channels-last) copy of `pooled` concatenated with an NCHW tensor on the channel axis.
  const [ph, pw] = [pooled.shape[1] as number, pooled.shape[2] as number];
  const roundTrip = on(tf.layers.reshape({ name: 'rt_flat', targetShape: [ph * pw, 8] }), pooled);
  const back = on(tf.layers.reshape({ name: 'rt_image', targetShape: [ph, pw, 8] }), roundTrip);
  const cat = on(tf.layers.concatenate({ name: 'cat_channels', axis: -1 }), [pooled, back]);
  const perPixel = on(tf.layers.dense({ name: 'pixel_fc', units: 3, activation: 'softsign' }), cat);
  // Flatten feeding a Concatenate (not a Dense), then BN after Dense, Dropout, Softmax.
  const flat = on(tf.layers.flatten({ name: 'flat' }), perPixel);
  const gmp = on(tf.layers.globalMaxPooling2d({ name: 'gmp' }), mp);
  const joined = on(tf.layers.concatenate({ name: 'cat_flat', axis: -1 }), [flat, gmp]);
  const hidden = on(tf.layers.dense({ name: 'fc1', units: 12 }), joined);
  const hbn = on(tf.layers.batchNormalization({ name: 'bn_dense' }), hidden);
  const drop = on(tf.layers.dropout({ name: 'drop', rate: 0.5 }), hbn);
  const logits = on(tf.layers.dense({ name: 'fc2', units: 7 }), drop);
  const probs = on(tf.layers.softmax({ name: 'probs' }), logits);
  return tf.model({ name: 'layer_variants', inputs: input, outputs: [probs, perPixel] });
}
