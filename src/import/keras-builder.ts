// Builds a Keras functional topology (TF.js Layers JSON) and its named channels-last weights, layer by layer.
import { fail } from '../core/errors.ts';
import type { JsonObject, ModelBundle, WeightEntry } from '../core/types.ts';
import { requireRule } from '../layers/rules.ts';

/** One weight of a layer being built. */
export interface BuiltWeight {
  slot: string;
  shape: number[];
  data: Float32Array;
}

/** One layer of the topology under construction; inputs refer to other records, so renaming is safe. */
export interface LayerRecord {
  name: string;
  className: string;
  config: JsonObject;
  inputs: LayerRecord[];
  weights: BuiltWeight[];
  /** Keras output shape without the batch axis (channels-last). */
  outputShape: number[];
}

/** Characters tfjs accepts in layer and weight names (its tensor-name rule, without `/`, which separates slots). */
const NAME_CHARS = /[^A-Za-z0-9._-]+/g;

/** A source name made valid as a Keras layer name: `/features/0/Conv` → `features_0_Conv`. */
export function sanitizeLayerName(raw: string, fallback: string): string {
  const cleaned = raw.replace(NAME_CHARS, '_').replace(/^[^A-Za-z0-9]+/, '').replace(/_+$/, '');
  return cleaned === '' ? fallback : cleaned.slice(0, 120);
}

/** Collects layers in topological order (each layer is added after its inputs). */
export class KerasBuilder {
  readonly layers: LayerRecord[] = [];
  private readonly names = new Set<string>();

  /** A unique layer name based on `wanted`. */
  private reserve(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.names.has(name); i++) name = `${wanted}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Is a layer name taken? */
  has(name: string): boolean {
    return this.names.has(name);
  }

  /**
   * Append a layer; its output shape comes from the class's LAYER_RULES rule (which also checks the
   * config), and each weight's shape is checked against the rule.
   */
  add(className: string, wanted: string, config: JsonObject, inputs: LayerRecord[], weights: BuiltWeight[] = []): LayerRecord {
    const name = this.reserve(sanitizeLayerName(wanted, className.toLowerCase()));
    const rule = requireRule(className, name);
    const fullConfig: JsonObject = { ...config, name, trainable: true };
    const shapes = inputs.map((i) => i.outputShape);
    const outputShape = className === 'InputLayer' ? rule.outputShape([], fullConfig, name) : rule.outputShape(shapes, fullConfig, name);
    for (const w of weights) {
      const expected = rule.weightShape?.(w.slot, shapes, fullConfig, name);
      if (expected && (expected.length !== w.shape.length || expected.some((d, i) => d !== w.shape[i]))) {
        fail('WEIGHTS_MISMATCH', { expected: `shape [${expected.join(', ')}] for ${w.slot}`, found: `[${w.shape.join(', ')}]`, where: `layer "${name}" (${className})`, hint: 'the ONNX weights do not match the node; the file is corrupt' });
      }
      if (w.data.length !== w.shape.reduce((a, b) => a * b, 1)) fail('INTERNAL', { expected: 'weight data matching its shape', found: `${w.data.length} values`, where: `layer "${name}" ${w.slot}`, hint: 'report this import bug' });
    }
    const record: LayerRecord = { name, className, config: fullConfig, inputs, weights, outputShape };
    this.layers.push(record);
    return record;
  }

  /** Rename a layer (e.g. to the source model's output name) when the name is free. */
  rename(record: LayerRecord, wanted: string): void {
    const name = sanitizeLayerName(wanted, record.name);
    if (name === record.name || this.names.has(name)) return;
    this.names.delete(record.name);
    this.names.add(name);
    record.name = name;
    record.config['name'] = name;
  }

  /** The bundle: a functional `Model` topology, weights named `<layer>/<slot>`, and the given meta. */
  toBundle(modelName: string, inputs: LayerRecord[], outputs: LayerRecord[], meta: JsonObject): ModelBundle {
    const used = new Set<LayerRecord>();
    const visit = (r: LayerRecord): void => {
      if (used.has(r)) return;
      used.add(r);
      r.inputs.forEach(visit);
    };
    outputs.forEach(visit);
    const kept = this.layers.filter((r) => used.has(r));
    const layers = kept.map((r) => ({
      name: r.name,
      class_name: r.className,
      config: r.config,
      inbound_nodes: r.inputs.length === 0 ? [] : [r.inputs.map((i) => [i.name, 0, 0, {}])],
    }));
    const weights: WeightEntry[] = kept.flatMap((r) => r.weights.map((w) => ({ name: `${r.name}/${w.slot}`, shape: [...w.shape], dtype: 'float32' as const, data: w.data })));
    const topology: JsonObject = {
      class_name: 'Model',
      config: {
        name: sanitizeLayerName(modelName, 'model'),
        layers,
        input_layers: inputs.map((r) => [r.name, 0, 0]),
        output_layers: outputs.map((r) => [r.name, 0, 0]),
      },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    };
    return { topology, weights, meta };
  }
}
