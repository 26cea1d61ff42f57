// Builds small Keras functional topologies as plain JSON (calibration probes and reference networks).
import type { JsonObject } from '../../core/types.ts';

/** A symbolic tensor while building: the producing layer's name and its output shape. */
export interface Sym {
  name: string;
  shape: number[];
}

/** Accumulates layers of one functional model. */
export class TopologyBuilder {
  private readonly layers: JsonObject[] = [];
  private readonly used = new Map<string, number>();

  /** Start a model with one input of the given shape (no batch axis). */
  input(shape: number[], name = 'input'): Sym {
    this.layers.push({
      name,
      class_name: 'InputLayer',
      config: { batch_input_shape: [null, ...shape], dtype: 'float32', sparse: false, name },
      inbound_nodes: [],
    });
    return { name, shape };
  }

  /** A unique layer name from a prefix. */
  private unique(prefix: string): string {
    const n = (this.used.get(prefix) ?? 0) + 1;
    this.used.set(prefix, n);
    return `${prefix}_${n}`;
  }

  /** Add a layer reading `inputs`; `shape` is its output shape (the caller computes it). */
  add(className: string, config: JsonObject, inputs: Sym[], shape: number[], prefix = className.toLowerCase()): Sym {
    const name = this.unique(prefix);
    this.layers.push({
      name,
      class_name: className,
      config: { ...config, name, trainable: true },
      inbound_nodes: [inputs.map((s) => [s.name, 0, 0, {}])],
    });
    return { name, shape };
  }

  /** The Keras `modelTopology` with the given input and output. */
  build(input: Sym, output: Sym, name = 'probe'): JsonObject {
    return {
      class_name: 'Model',
      config: { name, layers: this.layers, input_layers: [[input.name, 0, 0]], output_layers: [[output.name, 0, 0]] },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    };
  }
}

/** Output size of a window along one axis (Keras semantics). */
function windowed(size: number, kernel: number, stride: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}

/** Conv2D (square kernel) with optional fused activation. */
export function conv(b: TopologyBuilder, x: Sym, filters: number, kernel: number, stride = 1, opts: { activation?: string; useBias?: boolean; padding?: 'same' | 'valid' } = {}): Sym {
  const padding = opts.padding ?? 'same';
  const [h = 1, w = 1] = x.shape;
  const config = {
    filters,
    kernel_size: [kernel, kernel],
    strides: [stride, stride],
    padding,
    data_format: 'channels_last',
    dilation_rate: [1, 1],
    activation: opts.activation ?? 'linear',
    use_bias: opts.useBias ?? true,
  };
  return b.add('Conv2D', config, [x], [windowed(h, kernel, stride, padding), windowed(w, kernel, stride, padding), filters], 'conv');
}

/** DepthwiseConv2D (multiplier 1), by default without bias or activation. */
export function depthwise(b: TopologyBuilder, x: Sym, kernel: number, stride = 1, opts: { activation?: string; useBias?: boolean; padding?: 'same' | 'valid' } = {}): Sym {
  const padding = opts.padding ?? 'same';
  const [h = 1, w = 1, c = 1] = x.shape;
  const config = {
    kernel_size: [kernel, kernel],
    strides: [stride, stride],
    padding,
    data_format: 'channels_last',
    dilation_rate: [1, 1],
    depth_multiplier: 1,
    activation: opts.activation ?? 'linear',
    use_bias: opts.useBias ?? false,
  };
  return b.add('DepthwiseConv2D', config, [x], [windowed(h, kernel, stride, padding), windowed(w, kernel, stride, padding), c], 'dw');
}

/** Dense layer on the last axis. */
export function dense(b: TopologyBuilder, x: Sym, units: number, activation = 'linear'): Sym {
  return b.add('Dense', { units, activation, use_bias: true }, [x], [...x.shape.slice(0, -1), units], 'dense');
}

/** BatchNormalization on the channel axis. */
export function batchNorm(b: TopologyBuilder, x: Sym): Sym {
  return b.add('BatchNormalization', { axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true }, [x], x.shape, 'bn');
}

/** Activation layer (relu, relu6, sigmoid, softmax, ...). */
export function activation(b: TopologyBuilder, x: Sym, fn: string): Sym {
  return b.add('Activation', { activation: fn }, [x], x.shape, 'act');
}

/** Add of same-shape inputs. */
export function addLayers(b: TopologyBuilder, xs: Sym[]): Sym {
  return b.add('Add', {}, xs, xs[0]?.shape ?? [], 'add');
}

/** Max or average pooling with a square window (stride = window). */
export function pool(b: TopologyBuilder, x: Sym, kind: 'max' | 'avg', size = 2): Sym {
  const [h = 1, w = 1, c = 1] = x.shape;
  const className = kind === 'max' ? 'MaxPooling2D' : 'AveragePooling2D';
  const config = { pool_size: [size, size], strides: [size, size], padding: 'valid', data_format: 'channels_last' };
  return b.add(className, config, [x], [Math.floor(h / size), Math.floor(w / size), c], `${kind}pool`);
}

/** Global average pooling to one value per channel. */
export function globalAveragePool(b: TopologyBuilder, x: Sym): Sym {
  return b.add('GlobalAveragePooling2D', { data_format: 'channels_last' }, [x], [x.shape[2] ?? 1], 'gap');
}

/** Flatten to a vector. */
export function flatten(b: TopologyBuilder, x: Sym): Sym {
  return b.add('Flatten', {}, [x], [x.shape.reduce((a, c) => a * c, 1)], 'flatten');
}

/** ZeroPadding2D by `p` on every side. */
export function zeroPad(b: TopologyBuilder, x: Sym, p: number): Sym {
  const [h = 1, w = 1, c = 1] = x.shape;
  return b.add('ZeroPadding2D', { padding: [[p, p], [p, p]], data_format: 'channels_last' }, [x], [h + 2 * p, w + 2 * p, c], 'pad');
}

/** Concatenate on the channel axis. */
export function concat(b: TopologyBuilder, xs: Sym[]): Sym {
  const first = xs[0]?.shape ?? [];
  const channels = xs.reduce((n, s) => n + (s.shape[s.shape.length - 1] ?? 0), 0);
  return b.add('Concatenate', { axis: -1 }, xs, [...first.slice(0, -1), channels], 'concat');
}
