// Registers tfjs layer classes for detector blocks tfjs-layers lacks: ChannelSlice (ONNX Split/Slice) and half-pixel bilinear up-sampling.
import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@tensorflow/tfjs';

type Shape = tf.Shape | tf.Shape[];

/** The single input tensor of a layer call. */
function single(inputs: Tensor | Tensor[]): Tensor {
  return Array.isArray(inputs) ? (inputs[0] as Tensor) : inputs;
}

/** The single shape of a layer's input. */
function singleShape(shape: Shape): tf.Shape {
  return (Array.isArray(shape[0]) ? shape[0] : shape) as tf.Shape;
}

/** ChannelSlice: channels [begin, begin + size) of the last axis. */
export class ChannelSliceLayer extends tf.layers.Layer {
  static className = 'ChannelSlice';
  readonly begin: number;
  readonly size: number;
  constructor(args: { begin: number; size: number; name?: string; trainable?: boolean }) {
    super(args);
    this.begin = args.begin;
    this.size = args.size;
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const begin = x.shape.map((_, i) => (i === x.rank - 1 ? this.begin : 0));
      const size = x.shape.map((_, i) => (i === x.rank - 1 ? this.size : -1));
      return tf.slice(x, begin, size);
    });
  }
  override computeOutputShape(shape: Shape): Shape {
    const s = singleShape(shape);
    return [...s.slice(0, -1), this.size];
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), begin: this.begin, size: this.size };
  }
}

/** Bilinear up-sampling by integer factors on the half-pixel grid (PyTorch's align_corners=False, ONNX half_pixel). */
export class BilinearUpSampling2DLayer extends tf.layers.Layer {
  static className = 'BilinearUpSampling2D';
  readonly size: [number, number];
  constructor(args: { size?: number | [number, number]; name?: string; trainable?: boolean }) {
    super(args);
    const s = args.size ?? 2;
    this.size = Array.isArray(s) ? [s[0], s[1]] : [s, s];
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor4D;
      return tf.image.resizeBilinear(x, [(x.shape[1] as number) * this.size[0], (x.shape[2] as number) * this.size[1]], false, true);
    });
  }
  override computeOutputShape(shape: Shape): Shape {
    const [n, h, w, c] = singleShape(shape);
    return [n ?? null, h == null ? null : h * this.size[0], w == null ? null : w * this.size[1], c ?? null];
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size, interpolation: 'bilinear' };
  }
}

let installed = false;

/** Register the classes for deserialization (tf.models.modelFromJSON, tf.loadLayersModel). Idempotent. */
export function installDenseLayers(): void {
  if (installed) return;
  tf.serialization.registerClass(ChannelSliceLayer);
  tf.serialization.registerClass(BilinearUpSampling2DLayer);
  installed = true;
}
