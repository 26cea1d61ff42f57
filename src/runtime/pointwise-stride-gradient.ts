// Conv2DBackpropFilter for strided 1×1 convolutions on tfjs-node, computed without TensorFlow's kernel.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, Tensor2D, Tensor4D, TensorInfo } from '@tensorflow/tfjs';
import { asTensor } from './wasm-kernels/conv-backprop.ts';

/** Arguments a kernel function receives. */
type Args = { inputs: Record<string, TensorInfo>; attrs: NamedAttrMap; backend: unknown };
type Func = (args: Args) => TensorInfo;

/** Stride of the attributes as [sh, sw]. */
function stridesOf(attrs: NamedAttrMap): [number, number] {
  const s = attrs['strides'] as number | [number, number];
  return typeof s === 'number' ? [s, s] : s;
}

/** The filter gradient of a 1×1, NHWC, strided conv, or null for any other case. */
function pointwiseFilterGrad(args: Args): TensorInfo | null {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape, pad, dataFormat } = args.attrs as { filterShape: number[]; pad: unknown; dataFormat?: string };
  const [sh, sw] = stridesOf(args.attrs);
  const pointwise = filterShape[0] === 1 && filterShape[1] === 1 && (sh > 1 || sw > 1);
  if (!pointwise || (pad !== 'same' && pad !== 'valid') || (dataFormat ?? 'NHWC') !== 'NHWC' || x.dtype !== 'float32' || x.shape.length !== 4) return null;
  return tf.tidy(() => {
    const input = asTensor(x) as Tensor4D;
    const grad = asTensor(dy) as Tensor4D;
    const [n, h, w, cin] = input.shape;
    const [, ho, wo, cout] = grad.shape;
    const picked = tf.reshape(tf.stridedSlice(input, [0, 0, 0, 0], [n, h, w, cin], [1, sh, sw, 1]), [n * ho * wo, cin]) as Tensor2D;
    return tf.reshape(tf.matMul(picked, tf.reshape(grad, [n * ho * wo, cout]) as Tensor2D, true, false), [1, 1, cin, cout]);
  });
}

/**
 * Replaces tfjs-node's Conv2DBackpropFilter for strided 1×1 convolutions. TensorFlow 2.21's oneDNN
 * kernel crashes the process (SIGSEGV, or "double free or corruption") on a 1×1 stride-2 conv with 8
 * or fewer input channels, which is exactly a ResNet projection shortcut once its residual channel
 * group is pruned to 8. A 1×1 conv with stride s reads only every s-th pixel, so its filter gradient
 * is one matrix product over the picked pixels: exact and cheap. Every other case runs the stock kernel.
 */
export function registerPointwiseStrideFilterGrad(): void {
  const config = tf.getKernel(tf.Conv2DBackpropFilter, 'tensorflow');
  if (!config) return;
  const stock = config.kernelFunc as unknown as Func;
  tf.unregisterKernel(tf.Conv2DBackpropFilter, 'tensorflow');
  tf.registerKernel({
    ...config,
    kernelFunc: ((args: Args) => pointwiseFilterGrad(args) ?? stock(args)) as unknown as KernelConfig['kernelFunc'],
  });
}
