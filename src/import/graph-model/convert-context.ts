// What a GraphDef op converter sees: the node, its input values (layers or constants) and the Keras builder.
import { fail } from '../../core/errors.ts';
import type { JsonObject } from '../../core/types.ts';
import type { BuiltWeight, KerasBuilder, LayerRecord } from '../keras-builder.ts';
import { nodeWhere, unsupported } from './attrs.ts';
import type { ConstTensor, TfNodeDef } from './graph-def.ts';

/** The value of a converted node: a Keras layer's output, or a constant known at import time. */
export type GraphValue = { kind: 'layer'; record: LayerRecord } | { kind: 'const'; tensor: ConstTensor };

/** Shared state of one import. */
export interface ConvertState {
  builder: KerasBuilder;
  values: Map<string, GraphValue>;
  /** Readers per node name inside the imported sub-graph. */
  readers: Map<string, number>;
  /** Node names that are model outputs (never folded into their reader). */
  outputs: Set<string>;
  /** The node whose value a layer record currently is (folding moves it along). */
  producerOf: Map<LayerRecord, string>;
  /** Layers converted from FusedBatchNorm ops (real BatchNormalization, not a folded affine map). */
  batchNorms: Set<LayerRecord>;
}

/** Context of one node's conversion. */
export interface ConvertContext {
  node: TfNodeDef;
  state: ConvertState;
  /** Input i's value; INVALID_MODEL when the node has no such input. */
  input(i: number): GraphValue;
  /** Input i as a layer output; UNSUPPORTED_OP when it is a constant. */
  layerInput(i: number): LayerRecord;
  /** Input i as a constant; UNSUPPORTED_OP when it is computed at run time. */
  constInput(i: number): ConstTensor;
  /**
   * May this layer's weights or activation change to absorb the current node? True when the
   * current node is the only reader of the layer's value and that value is no model output.
   */
  absorbable(record: LayerRecord): boolean;
  /** Add a layer named after the node. */
  add(className: string, config: JsonObject, inputs: LayerRecord[], weights?: BuiltWeight[]): LayerRecord;
}

/** Build the context of one node. */
export function createConvertContext(state: ConvertState, node: TfNodeDef): ConvertContext {
  const input = (i: number): GraphValue => {
    const ref = node.inputs[i];
    // Outputs after the first (the parts of a Split) are stored as `name:index`.
    const value = ref ? state.values.get(ref.index === 0 ? ref.node : `${ref.node}:${ref.index}`) : undefined;
    if (ref && ref.index !== 0 && !value && state.values.has(ref.node)) unsupported(node, 'inputs that read output 0 of their producer (or a part of a Split)', `"${ref.node}:${ref.index}"`);
    if (!ref || !value) {
      fail('INVALID_MODEL', { expected: `input ${i} of the node`, found: ref ? `"${ref.node}", which is not converted` : `${node.inputs.length} inputs`, where: nodeWhere(node), hint: 'the GraphDef is malformed; re-convert the model' });
    }
    return value;
  };
  return {
    node,
    state,
    input,
    layerInput: (i) => {
      const v = input(i);
      if (v.kind !== 'layer') unsupported(node, `input ${i} computed from the model input`, `a constant ("${node.inputs[i]?.node}")`);
      return v.record;
    },
    constInput: (i) => {
      const v = input(i);
      if (v.kind !== 'const') unsupported(node, `input ${i} as a constant (weights)`, `a tensor computed at run time ("${node.inputs[i]?.node}")`, 'edge-prune imports weights stored as Const nodes');
      return v.tensor;
    },
    absorbable: (record) => {
      const producer = state.producerOf.get(record);
      return producer !== undefined && (state.readers.get(producer) ?? 0) === 1 && !state.outputs.has(producer);
    },
    add: (className, config, inputs, weights = []) => state.builder.add(className, node.name, config, inputs, weights),
  };
}

/** The channel count of a layer value (its last axis). */
export function channelsOf(record: LayerRecord): number {
  return record.outputShape[record.outputShape.length - 1] ?? 0;
}

/**
 * A constant broadcast over channels: a scalar or a [.., C] tensor whose other axes are 1, as C
 * per-channel values; UNSUPPORTED_OP otherwise.
 */
export function perChannel(ctx: ConvertContext, tensor: ConstTensor, channels: number): Float32Array {
  const size = tensor.data.length;
  const last = tensor.shape[tensor.shape.length - 1] ?? 1;
  if (size === 1) return new Float32Array(channels).fill(tensor.data[0] as number);
  if (size === channels && last === channels) return Float32Array.from(tensor.data);
  return unsupported(ctx.node, `a scalar or a per-channel constant of ${channels} values`, `a constant of shape [${tensor.shape.join(', ')}]`);
}
