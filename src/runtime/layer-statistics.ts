// Least-squares statistics of one layer for reconstruction: XᵀX of the pruned model's sampled input patches, XᵀY against the unpruned layer's output.
import * as tf from '@tensorflow/tfjs';
import { fail } from '../core/errors.ts';
import type { ModelBundle } from '../core/types.ts';
import { ensureTrainingBackend } from './train-backend.ts';
import { buildTrainableModel, readModelWeights, variablesByName } from './train-model.ts';

/** Geometry of a weighted layer (channels-last), as its config gives it. */
export interface LayerGeometry {
  name: string;
  kind: 'conv' | 'depthwise' | 'dense';
  kernel: [number, number];
  strides: [number, number];
  dilation: [number, number];
  padding: 'same' | 'valid';
  /** Spatial output size [Ho, Wo] ([1, 1] for Dense). */
  output: [number, number];
  useBias: boolean;
}

/** What to accumulate for one layer. */
export interface SystemRequest {
  geometry: LayerGeometry;
  /** Unpruned output channels (conv/dense) or channels (depthwise) the pruned layer keeps, in order. */
  keptOut: number[];
  /** For every image of a batch, the sampled output positions (y·Wo + x), the same count per image. */
  positions: (image: number) => Int32Array;
}

/**
 * The normal equations of one layer for the change Δ of its weights (the residual form, exact when
 * nothing changed), summed over batches in float64. Conv/Dense: `gram` is K×K and `cross` K×outputs (K = patch length, +1 for the bias column last). Depthwise: one (k+1)² block and
 * one (k+1) vector per channel, concatenated.
 */
export interface LayerSystem {
  cols: number;
  outputs: number;
  gram: Float64Array;
  cross: Float64Array;
  /** ΣY² over all rows and outputs. */
  yy: number;
  /** ΣR² of the residual R = Y − X·W (W = the layer's current weights); `cross` is XᵀR. */
  rr: number;
  rows: number;
}

/** Add a float32 result into a float64 accumulator. */
function addInto(acc: Float64Array, values: Float32Array): void {
  for (let i = 0; i < acc.length; i++) (acc[i] as number) += values[i] as number;
}

/** Sampled patches of `x` ([n, H, W, C]) at the requested output positions: [rows, kh·kw·C] (rows = Σ positions). */
function patches(x: tf.Tensor4D, g: LayerGeometry, positions: Int32Array[]): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilation;
  const [ho, wo] = g.output;
  const padH = g.padding === 'same' ? Math.max((ho - 1) * sh + (kh - 1) * dh + 1 - h, 0) : 0;
  const padW = g.padding === 'same' ? Math.max((wo - 1) * sw + (kw - 1) * dw + 1 - w, 0) : 0;
  const [top, left] = [Math.floor(padH / 2), Math.floor(padW / 2)];
  const [hp, wp] = [h + padH, w + padW];
  const rows = positions.reduce((a, p) => a + p.length, 0);
  const index = new Int32Array(rows * kh * kw);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (const p of positions[i] as Int32Array) {
      const [oy, ox] = [Math.floor(p / wo), p % wo];
      for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) index[k++] = (i * hp + oy * sh + dy * dh) * wp + ox * sw + dx * dw;
    }
  }
  return tf.tidy(() => {
    const padded = padH + padW > 0 ? tf.pad(x, [[0, 0], [top, padH - top], [left, padW - left], [0, 0]]) : x;
    return tf.gather(tf.reshape(padded, [n * hp * wp, c]), tf.tensor1d(index, 'int32')).reshape([rows, kh * kw * c]) as tf.Tensor2D;
  });
}

/** A bundle loaded once for reading its layers' inputs and writing refitted weights. */
export class FeatureTaps {
  private readonly taps = new Map<string, tf.LayersModel>();

  private constructor(private readonly model: tf.LayersModel) {}

  /** Load `bundle` on the training backend (tfjs-node when present). Call `dispose()` when done. */
  static async open(bundle: ModelBundle, backend?: string): Promise<FeatureTaps> {
    await ensureTrainingBackend(backend);
    return new FeatureTaps(await buildTrainableModel(bundle));
  }

  /** A model from the input to `layer`'s input (shared weights: later refits are seen). */
  private tap(layer: string): tf.LayersModel {
    let m = this.taps.get(layer);
    if (!m) {
      const l = this.model.getLayer(layer);
      m = tf.model({ inputs: this.model.inputs, outputs: l.input as tf.SymbolicTensor });
      this.taps.set(layer, m);
    }
    return m;
  }

  /** The layer's kernel and bias values. */
  private kernelOf(layer: string): { kernel: tf.Tensor; bias: tf.Tensor | null } {
    const vars = variablesByName(this.model);
    const kernel = vars.get(`${layer}/kernel`) ?? vars.get(`${layer}/depthwise_kernel`);
    if (!kernel) fail('INTERNAL', { expected: `a kernel variable of layer ${layer}`, found: 'none', where: 'reconstruction', hint: 'report this bug' });
    return { kernel: kernel.read(), bias: vars.get(`${layer}/bias`)?.read() ?? null };
  }

  /** Pruned and unpruned inputs of the layer on one batch, reduced to patch rows (with a ones column when the layer has a bias). */
  private rows(original: FeatureTaps, req: SystemRequest, batch: tf.Tensor4D): { xp: tf.Tensor2D; xo: tf.Tensor2D } {
    const g = req.geometry;
    const ip = this.tap(g.name).predict(batch) as tf.Tensor;
    const io = original.tap(g.name).predict(batch) as tf.Tensor;
    if (g.kind === 'dense') {
      if (ip.rank !== 2) fail('UNSUPPORTED_LAYER', { expected: 'a Dense layer on a flat input', found: `input rank ${ip.rank}`, where: `layer ${g.name}`, hint: 'reconstruction skips it' });
      return { xp: ip as tf.Tensor2D, xo: io as tf.Tensor2D };
    }
    const n = batch.shape[0];
    const positions = Array.from({ length: n }, (_, i) => req.positions(i));
    return { xp: patches(ip as tf.Tensor4D, g, positions), xo: patches(io as tf.Tensor4D, g, positions) };
  }

  /**
   * Accumulate the layer's normal equations over `batches` (normalized images, [n, H, W, C] each):
   * X = this (pruned) model's input patches, Y = the unpruned layer's pre-activation output on the
   * same patches of its own input, restricted to `keptOut`, R = Y − X·W with the current weights.
   */
  system(original: FeatureTaps, req: SystemRequest, batches: Iterable<{ data: Float32Array; shape: number[] }>): LayerSystem {
    const g = req.geometry;
    const o = original.kernelOf(g.name);
    const p = this.kernelOf(g.name);
    const kept = tf.tensor1d(Int32Array.from(req.keptOut), 'int32');
    const kk = g.kind === 'dense' ? 1 : g.kernel[0] * g.kernel[1];
    const inP = g.kind === 'dense' ? (p.kernel.shape[0] as number) : (p.kernel.shape[2] as number);
    const outs = req.keptOut.length;
    const depthwise = g.kind === 'depthwise';
    const k1 = depthwise ? kk + (g.useBias ? 1 : 0) : kk * inP + (g.useBias ? 1 : 0);
    const gram = new Float64Array(depthwise ? outs * k1 * k1 : k1 * k1);
    const cross = new Float64Array(depthwise ? outs * k1 : k1 * outs);
    let rows = 0;
    let yy = 0;
    let rr = 0;
    try {
      for (const b of batches) {
        const [gg, cc, r, sy, sr] = tf.tidy(() => {
          const { xp, xo } = this.rows(original, req, tf.tensor4d(b.data, b.shape as [number, number, number, number]));
          const r = xp.shape[0];
          let y: tf.Tensor2D;
          let prediction: tf.Tensor2D;
          let x: tf.Tensor;
          if (depthwise) {
            // Per channel: X_c = [r, kk(+1)], y_c = X0_c · w0_c (+ b0_c), the same product with the pruned weights as the prediction.
            const cO = o.kernel.shape[2] as number;
            const xo3 = tf.gather(tf.reshape(xo, [r, kk, cO]), kept, 2);
            const xp3 = tf.reshape(xp, [r, kk, outs]);
            y = tf.sum(tf.mul(xo3, tf.gather(tf.reshape(o.kernel, [kk, cO]), kept, 1)), 1);
            prediction = tf.sum(tf.mul(xp3, tf.reshape(p.kernel, [kk, outs])), 1);
            if (o.bias) y = tf.add(y, tf.gather(o.bias, kept));
            if (p.bias) prediction = tf.add(prediction, p.bias);
            x = tf.transpose(xp3, [2, 0, 1]);
            if (g.useBias) x = tf.concat([x, tf.ones([outs, r, 1])], 2);
          } else {
            y = tf.matMul(xo, tf.gather(tf.reshape(o.kernel, [-1, o.kernel.shape[o.kernel.rank - 1] as number]), kept, 1));
            prediction = tf.matMul(xp, tf.reshape(p.kernel, [-1, outs]));
            if (o.bias) y = tf.add(y, tf.gather(o.bias, kept));
            if (p.bias) prediction = tf.add(prediction, p.bias);
            x = g.useBias ? tf.concat([xp, tf.ones([r, 1])], 1) : xp;
          }
          const residual = tf.sub(y, prediction);
          const gramT = depthwise ? tf.matMul(x as tf.Tensor3D, x as tf.Tensor3D, true, false) : tf.matMul(x as tf.Tensor2D, x as tf.Tensor2D, true, false);
          const crossT = depthwise ? tf.matMul(x as tf.Tensor3D, tf.reshape(tf.transpose(residual), [outs, r, 1]), true, false) : tf.matMul(x as tf.Tensor2D, residual, true, false);
          return [gramT.dataSync() as Float32Array, crossT.dataSync() as Float32Array, r, tf.sum(tf.square(y)).dataSync()[0] as number, tf.sum(tf.square(residual)).dataSync()[0] as number] as const;
        });
        addInto(gram, gg);
        addInto(cross, cc);
        rows += r;
        yy += sy;
        rr += sr;
      }
    } finally {
      kept.dispose();
    }
    return { cols: k1, outputs: outs, gram, cross, yy, rr, rows };
  }

  /** The layer's current kernel and bias, flattened as the system's columns expect (kernel rows, bias last). */
  weightsOf(layer: string): { kernel: Float32Array; kernelShape: number[]; bias: Float32Array | null } {
    const { kernel, bias } = this.kernelOf(layer);
    return { kernel: kernel.dataSync() as Float32Array, kernelShape: [...kernel.shape], bias: bias ? (bias.dataSync() as Float32Array) : null };
  }

  /** Overwrite the layer's kernel (same shape) and bias. */
  setWeights(layer: string, kernel: Float32Array, bias: Float32Array | null): void {
    const vars = variablesByName(this.model);
    const k = vars.get(`${layer}/kernel`) ?? vars.get(`${layer}/depthwise_kernel`);
    if (!k) fail('INTERNAL', { expected: `a kernel variable of layer ${layer}`, found: 'none', where: 'reconstruction', hint: 'report this bug' });
    const kt = tf.tensor(kernel, k.shape as number[]);
    k.write(kt);
    kt.dispose();
    const b = vars.get(`${layer}/bias`);
    if (b && bias) {
      const bt = tf.tensor(bias, b.shape as number[]);
      b.write(bt);
      bt.dispose();
    }
  }

  /** A copy of `bundle` holding this model's current weights. */
  toBundle(bundle: ModelBundle): ModelBundle {
    return readModelWeights(this.model, bundle);
  }

  /** Free the model and its taps. */
  dispose(): void {
    this.model.dispose();
    this.taps.clear();
  }
}
