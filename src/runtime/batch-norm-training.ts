// Training-mode batch norm as one fused op with its own gradient: 2 native ops on tfjs-node, a few portable ops elsewhere.
import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@tensorflow/tfjs';

/** The slice of tfjs-node's backend used to run TensorFlow ops directly. */
interface NodeBackend {
  binding: Record<string, number>;
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: Tensor[], numOutputs: number): Tensor[];
}

/** Result of the fused forward pass; `saved` holds what the backward pass of this backend needs. */
interface ForwardResult {
  y: Tensor;
  mean: Tensor;
  variance: Tensor;
  saved: Tensor[];
}

/** TensorFlow attributes of FusedBatchNormV3 / FusedBatchNormGradV3 (NHWC, training mode). */
function tfAttrs(b: Record<string, number>, epsilon: number, forward: boolean): unknown[] {
  const attrs = [
    { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
    { name: 'U', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
    { name: 'epsilon', type: b.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: b.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: b.TF_ATTR_BOOL, value: true },
  ];
  if (forward) attrs.push({ name: 'exponential_avg_factor', type: b.TF_ATTR_FLOAT, value: 1 });
  return attrs;
}

/** x of any rank ≥ 2 as the 4-D NHWC tensor TensorFlow's fused kernels take ([M,1,1,C]). */
function as4d(x: Tensor): Tensor {
  if (x.rank === 4) return x;
  const c = x.shape[x.rank - 1]!;
  return tf.reshape(x, [x.size / c, 1, 1, c]);
}

/** Forward pass on tfjs-node: FusedBatchNormV3 (is_training) → y, mean, variance (biased), reserve spaces. */
function forwardTensorflow(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): ForwardResult {
  const backend = tf.backend() as unknown as NodeBackend;
  const empty = tf.tensor1d([], 'float32');
  const [y, , , r1, r2, r3] = backend.executeMultipleOutputs(
    'FusedBatchNormV3', tfAttrs(backend.binding, epsilon, true), [as4d(x), gamma, beta, empty, empty], 6) as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  // reserve_space_1/2 hold the batch mean and the biased batch variance on CPU (Eigen and oneDNN alike).
  return { y: tf.reshape(y, x.shape), mean: r1, variance: r2, saved: [r1, r2, r3] };
}

/** Backward pass on tfjs-node: FusedBatchNormGradV3 (is_training) → dx, dgamma, dbeta. */
function backwardTensorflow(dy: Tensor, x: Tensor, gamma: Tensor, saved: Tensor[], epsilon: number): Tensor[] {
  const backend = tf.backend() as unknown as NodeBackend;
  const [dx, dg, db] = backend.executeMultipleOutputs(
    'FusedBatchNormGradV3', tfAttrs(backend.binding, epsilon, false), [as4d(dy), as4d(x), gamma, ...saved], 5) as [Tensor, Tensor, Tensor];
  return [tf.reshape(dx, x.shape), dg, db];
}

/**
 * Forward pass from portable tf ops (wasm, cpu and any other backend). On wasm the per-channel sums
 * run as full-window average pools (see wasm-kernels/fast-kernels.ts), the rest as SIMD binary ops.
 */
function forwardGeneric(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): ForwardResult {
  const axes = [...Array(x.rank - 1).keys()];
  const mean = tf.mean(x, axes);
  const variance = tf.mean(tf.squaredDifference(x, mean), axes);
  const k = tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)));
  const y = tf.add(tf.mul(x, k), tf.sub(beta, tf.mul(mean, k)));
  return { y, mean, variance, saved: [mean, variance] };
}

/** Backward pass from portable tf ops. */
function backwardGeneric(dy: Tensor, x: Tensor, gamma: Tensor, saved: Tensor[], epsilon: number): Tensor[] {
  const [mean, variance] = saved as [Tensor, Tensor];
  const axes = [...Array(x.rank - 1).keys()];
  const m = x.size / x.shape[x.rank - 1]!;
  const inv = tf.rsqrt(tf.add(variance, epsilon));
  const xm = tf.sub(x, mean);
  const sdy = tf.sum(dy, axes);
  const sdyx = tf.sum(tf.mul(dy, xm), axes);
  const k = tf.mul(gamma, inv);
  const t = tf.div(tf.mul(sdyx, tf.square(inv)), m);
  const dx = tf.mul(k, tf.sub(tf.sub(dy, tf.div(sdy, m)), tf.mul(xm, t)));
  return [dx, tf.mul(sdyx, inv), sdy];
}

/**
 * Batch norm in training mode over every axis but the last: returns the normalized output and the
 * batch mean and biased variance (for the moving averages). The gradient flows through the batch
 * statistics exactly as tf.moments + tf.batchNorm would give, computed in one fused step.
 * `mean` and `variance` are kept outside every tidy scope: the caller must dispose them.
 */
export function batchNormTrain(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): { y: Tensor; mean: Tensor; variance: Tensor } {
  const name = tf.getBackend();
  let stats: Tensor[] = [];
  const fused = tf.customGrad((xIn, g, b, save) => {
    const [xt, gt, bt] = [xIn, g, b] as Tensor[] as [Tensor, Tensor, Tensor];
    let r: ForwardResult;
    if (name === 'tensorflow') r = forwardTensorflow(xt, gt, bt, epsilon);
    else r = forwardGeneric(xt, gt, bt, epsilon);
    stats = [tf.keep(r.mean), tf.keep(r.variance)];
    (save as (t: Tensor[]) => void)([xt, gt, ...r.saved]);
    return {
      value: r.y,
      gradFunc: (dy: Tensor, kept: Tensor[]) => {
        const [xs, gs, ...rest] = kept as [Tensor, Tensor, ...Tensor[]];
        if (name === 'tensorflow') return backwardTensorflow(dy, xs, gs, rest, epsilon);
        return backwardGeneric(dy, xs, gs, rest, epsilon);
      },
    };
  });
  const y = fused(x, gamma, beta) as Tensor;
  const [mean, variance] = stats as [Tensor, Tensor];
  return { y, mean, variance };
}
