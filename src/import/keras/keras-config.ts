// Normalizes a Keras 2 or Keras 3 layer config to the TF.js Layers dialect (plain dtype, batch_input_shape, no Keras-3-only fields).
import type { JsonObject } from '../../core/types.ts';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Config fields dropped on import: training-time objects (initializers, regularizers, constraints) and Keras 3 bookkeeping. */
const DROPPED = /(_initializer|_regularizer|_constraint)$|^(build_config|registered_name|module|shared_object_id|optional|ragged|lora_rank|lora_alpha|quantization_config|synchronized|seed|noise_shape|input_dtype)$/;

/**
 * A layer config in the TF.js Layers dialect: `batch_shape` becomes `batch_input_shape`, a
 * DTypePolicy object becomes its name, training-time objects and Keras 3 bookkeeping are dropped,
 * and `groups: 1` (the only value TF.js knows) is removed.
 */
export function normalizeLayerConfig(className: string, config: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(config)) {
    if (DROPPED.test(key)) continue;
    if (key === 'dtype') {
      const policy = isObject(value) && isObject(value['config']) ? value['config']['name'] : value;
      out['dtype'] = policy === 'mixed_float16' || policy === 'mixed_bfloat16' || typeof policy !== 'string' ? 'float32' : policy;
      continue;
    }
    if (key === 'batch_shape') {
      out['batch_input_shape'] = value;
      continue;
    }
    if (key === 'groups' && value === 1) continue;
    out[key] = value;
  }
  if (className === 'ReLU' && out['max_value'] === null) delete out['max_value'];
  if (className === 'ReLU' && out['negative_slope'] === 0) delete out['negative_slope'];
  if (className === 'ReLU' && out['threshold'] === 0) delete out['threshold'];
  return out;
}

/** Keras activations with the same meaning in TF.js (Keras 3 `silu` is TF.js `swish`); others are refused. */
const ACTIVATIONS: Readonly<Record<string, string>> = {
  linear: 'linear', relu: 'relu', relu6: 'relu6', elu: 'elu', selu: 'selu', sigmoid: 'sigmoid', softmax: 'softmax',
  softplus: 'softplus', softsign: 'softsign', tanh: 'tanh', swish: 'swish', silu: 'swish', mish: 'mish',
};

/** The TF.js name of a Keras activation, or undefined when TF.js has none with the same meaning (e.g. hard_silu, gelu). */
export function tfjsActivation(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(ACTIVATIONS, name) ? ACTIVATIONS[name] : undefined;
}

/**
 * Which of a rule's weight slots a layer stores, from its config: the bias only with `use_bias`,
 * BatchNormalization's gamma and beta only with `scale` and `center`.
 */
export function presentSlots(slots: readonly { name: string; optional?: boolean }[], config: JsonObject): string[] {
  return slots
    .filter((s) => {
      if (!s.optional) return true;
      if (s.name === 'bias') return config['use_bias'] !== false;
      if (s.name === 'gamma') return config['scale'] !== false;
      if (s.name === 'beta') return config['center'] !== false;
      return true;
    })
    .map((s) => s.name);
}

/** Keras 3's snake_case of a class name (`BatchNormalization` → `batch_normalization`, `ReLU` → `re_lu`). */
export function toSnakeCase(name: string): string {
  return name.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}
