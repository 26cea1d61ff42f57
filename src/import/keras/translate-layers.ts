// Keras layers without a TF.js counterpart, rewritten on import: Rescaling, Normalization and scalar ops (x + 3, x / 6) as affine BatchNormalization.
import { fail } from '../../core/errors.ts';
import type { JsonObject } from '../../core/types.ts';
import { affineBatchNorm } from '../affine-layer.ts';
import type { KerasBuilder, LayerRecord } from '../keras-builder.ts';
import type { StoredWeight } from './keras-weights.ts';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Is this declared layer a Keras 3 operation used on symbolic tensors (`x * 0.5`)? Its module is
 * keras.src.ops.* in `.keras` files; legacy `.h5` configs drop the module, so a number among the
 * call's arguments also tells.
 */
export function isOpLayer(entry: JsonObject | undefined): boolean {
  if (typeof entry?.['module'] === 'string' && entry['module'].startsWith('keras.src.ops')) return true;
  const node = Array.isArray(entry?.['inbound_nodes']) ? (entry['inbound_nodes'] as unknown[])[0] : undefined;
  return isObject(node) && Array.isArray(node['args']) && node['args'].some((a) => typeof a === 'number');
}

/** A number or a per-channel list from a config field, as C values. */
function perChannel(value: unknown, c: number, where: string): Float32Array {
  if (typeof value === 'number') return new Float32Array(c).fill(value);
  if (Array.isArray(value) && value.length === c && value.every((v) => typeof v === 'number')) return Float32Array.from(value as number[]);
  return fail('UNSUPPORTED_LAYER', { expected: `a number or ${c} per-channel numbers`, found: JSON.stringify(value)?.slice(0, 80) ?? 'nothing', where, hint: 'only per-channel rescaling can be imported' });
}

/** The scalar argument and the tensor's position of a scalar op's call (`x + 3.0` → {value 3, tensorFirst}). */
function scalarArgument(entry: JsonObject, where: string): { value: number; tensorFirst: boolean } {
  const node = Array.isArray(entry['inbound_nodes']) ? entry['inbound_nodes'][0] : undefined;
  const args = isObject(node) && Array.isArray(node['args']) ? node['args'] : [];
  const index = args.findIndex((a) => typeof a === 'number');
  if (args.length !== 2 || index < 0) fail('UNSUPPORTED_LAYER', { expected: 'a Keras op of one tensor and one number', found: JSON.stringify(args).slice(0, 120), where, hint: 'rewrite the op as a Keras layer' });
  return { value: args[index] as number, tensorFirst: index === 1 };
}

/**
 * Add the layer that stands for `className` when TF.js has no such layer; undefined when the class
 * is imported as it is. `entry` is the declared layer (module, inbound_nodes) from the config.
 */
export function translateLayer(builder: KerasBuilder, name: string, className: string, config: JsonObject, entry: JsonObject | undefined, inputs: LayerRecord[], stored: StoredWeight[]): LayerRecord | undefined {
  const where = `layer "${name}" (${className})`;
  const x = inputs[0];
  const c = x?.outputShape[x.outputShape.length - 1] ?? 0;
  const affine = (scale: Float32Array, shift: Float32Array): LayerRecord => {
    const bn = affineBatchNorm(scale, shift);
    return builder.add('BatchNormalization', name, bn.config, [x as LayerRecord], bn.weights);
  };
  if (className === 'Rescaling') return affine(perChannel(config['scale'] ?? 1, c, where), perChannel(config['offset'] ?? 0, c, where));
  if (className === 'Normalization') {
    if (config['invert'] === true) fail('UNSUPPORTED_LAYER', { expected: 'Normalization with invert false', found: 'invert true', where, hint: 'only forward normalization can be imported' });
    const mean = stored[0]?.data ?? perChannel(config['mean'], c, where);
    const variance = stored[1]?.data ?? perChannel(config['variance'], c, where);
    if (mean.length !== c || variance.length !== c) fail('WEIGHTS_MISMATCH', { expected: `${c} means and variances (last axis)`, found: `${mean.length} and ${variance.length}`, where, hint: 'only normalization over the channel axis can be imported' });
    const scale = variance.map((v) => 1 / Math.max(Math.sqrt(v), 1e-7));
    return affine(scale, mean.map((m, i) => -m * (scale[i] as number)));
  }
  if (!isOpLayer(entry) || inputs.length !== 1) return undefined;
  const { value, tensorFirst } = scalarArgument(entry as JsonObject, where);
  const ones = new Float32Array(c).fill(1);
  const zeros = new Float32Array(c);
  switch (className) {
    case 'Add':
      return affine(ones, zeros.fill(value));
    case 'Multiply':
      return affine(ones.fill(value), zeros);
    case 'Subtract':
      return tensorFirst ? affine(ones, zeros.fill(-value)) : affine(ones.fill(-1), zeros.fill(value));
    case 'Divide':
    case 'TrueDivide':
      if (tensorFirst) return affine(ones.fill(1 / value), zeros);
  }
  return fail('UNSUPPORTED_LAYER', { expected: 'a Keras op edge-prune maps (tensor + n, tensor − n, n − tensor, tensor · n, tensor / n)', found: `${String(entry?.['module'])}.${className}`, where, hint: 'rewrite the op as a Keras layer' });
}
