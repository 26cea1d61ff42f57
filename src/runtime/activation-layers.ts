// Registers tfjs layer classes for activations tfjs-layers lacks: HardSwish and PyTorch-style HardSigmoid (alpha·x + beta, clipped).
import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@tensorflow/tfjs';
import { installDenseLayers } from './dense-layers.ts';

type Shape = tf.Shape | tf.Shape[];

/** The single input tensor of a layer call. */
function single(inputs: Tensor | Tensor[]): Tensor {
  return Array.isArray(inputs) ? (inputs[0] as Tensor) : inputs;
}

/** HardSwish: x · relu6(x + 3) / 6 (PyTorch nn.Hardswish, ONNX HardSwish). */
export class HardSwishLayer extends tf.layers.Layer {
  static className = 'HardSwish';
  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    });
  }
  override computeOutputShape(shape: Shape): Shape {
    return shape;
  }
}

/** HardSigmoid: clip(alpha·x + beta, 0, 1); PyTorch's nn.Hardsigmoid is alpha 1/6, beta 1/2 (tfjs's own 'hardSigmoid' is 0.2, 0.5). */
export class HardSigmoidLayer extends tf.layers.Layer {
  static className = 'HardSigmoid';
  readonly alpha: number;
  readonly beta: number;
  constructor(args: { alpha?: number; beta?: number; name?: string; trainable?: boolean } = {}) {
    super(args);
    this.alpha = args.alpha ?? 1 / 6;
    this.beta = args.beta ?? 0.5;
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(single(inputs), this.alpha), this.beta), 0, 1));
  }
  override computeOutputShape(shape: Shape): Shape {
    return shape;
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha, beta: this.beta };
  }
}

let installed = false;

/** Register the classes (and the detector blocks' ChannelSlice, BilinearUpSampling2D) for deserialization (tf.models.modelFromJSON, tf.loadLayersModel). Idempotent. */
export function installActivationLayers(): void {
  if (installed) return;
  installDenseLayers();
  tf.serialization.registerClass(HardSwishLayer);
  tf.serialization.registerClass(HardSigmoidLayer);
  installed = true;
}
