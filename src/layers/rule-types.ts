// Types of the layer-rule table: how each Keras layer kind shapes, counts, couples channels and costs.
import type { OpKind } from '../core/schemas.ts';
import type { JsonObject } from '../core/types.ts';

/**
 * How a layer treats channels (DESIGN.md §3):
 * - `input`: starts a locked space (the model's input channels);
 * - `producer`: its output channels start a new space (Conv2D, Dense, SeparableConv2D);
 * - `pass`: output channels are the input channels (BN, depthwise, activations, pooling, ...);
 * - `merge`: all inputs and the output share one space (Add, Multiply, ...);
 * - `concat`: output space is the inputs' spaces at offsets (Concatenate on the channel axis);
 * - `flatten`: H×W×C to a vector where channel c owns `{p·C + c}`;
 * - `reshape`: passes channels when the last axis is kept, else locks;
 * - `slice`: output is a contiguous part of the input's channels (ChannelSlice, from an ONNX Split/Slice);
 * - `mixing`: mixes channels (e.g. Softmax): inputs are locked, output is a new locked space.
 */
export type ChannelKind = 'input' | 'producer' | 'pass' | 'merge' | 'concat' | 'flatten' | 'reshape' | 'slice' | 'mixing';

/** A weight slot's axis that indexes channels. */
export interface SlotAxis {
  slot: string;
  axis: number;
}

/** One piece of work of a layer (a SeparableConv2D has two: depthwise then pointwise). */
export interface LayerOp {
  kind: OpKind;
  /** Multiply-accumulates for conv/depthwise/dense, element operations otherwise. */
  work: number;
  /** An activation applied inside a conv or dense layer (a runtime that fuses activations skips it). */
  fused?: boolean;
  /** Input and output channels of a conv or depthwise op: a runtime with a channel block pads them. */
  channels?: { in: number; out: number };
}

/** What a graph-optimizing runtime can fuse into the conv or dense layer before it. */
export type Fusion = 'batchnorm' | 'activation';

/** One layer as its cost sees it (batch 1, channels-last shapes without the batch axis). */
export interface CostContext {
  inputs: number[][];
  output: number[];
  config: JsonObject;
  layer: string;
  /** The rule's `macs` (0 when the rule has none). */
  macs: number;
}

/** What a layer kind asks of the hardware: the latency model's per-kind knowledge. */
export interface LayerCost {
  /** The kernels the layer runs at inference, in order; [] when it runs none (it only reinterprets or passes its input). */
  ops(layer: CostContext): LayerOp[];
  /** A conv or dense layer: a BatchNormalization or activation layer right after it can fuse into it (when its own activation is linear). */
  fusionHost?: boolean;
  /** Its output is a view of its single input at inference (Flatten, Reshape, Dropout): no new buffer. */
  aliasesInput?: boolean;
  /** As a whole layer right after a fusion host: a batch normalization, or the activation function it applies. */
  fusesAs?(config: JsonObject): { fusion: 'batchnorm' } | { fusion: 'activation'; fn: unknown } | undefined;
}

/** Everything edge-prune knows about one Keras layer class. */
export interface LayerRule {
  /** How channels flow through the layer; may depend on the config (e.g. Activation softmax). */
  channels: ChannelKind | ((config: JsonObject) => ChannelKind);
  /** Weight slots in the order Keras stores them; optional ones may be absent (e.g. use_bias false). */
  slots: { name: string; optional?: boolean }[];
  /** Output shape (no batch axis) from input shapes. */
  outputShape(inputs: number[][], config: JsonObject, layer: string): number[];
  /** The shape each present weight slot must have. */
  weightShape?(slot: string, inputs: number[][], config: JsonObject, layer: string): number[];
  /** Multiply-accumulates at batch 1. */
  macs?(inputs: number[][], output: number[], config: JsonObject): number;
  /** Producer: slot axes that index input channels. */
  inAxes?: SlotAxis[];
  /** Producer: slot axes that index output channels. */
  outAxes?: SlotAxis[];
  /** Producer: config field holding the output channel count. */
  countField?: string;
  /** Pass: slot axes holding one value per channel (BN gamma, depthwise kernel, ...). */
  passAxes?: SlotAxis[];
  /** A depthwise layer: its kernel is part of the FSCL path between producer and consumer. */
  depthwise?: boolean;
  /** Its ops and fusions for the latency model (src/latency/layer-work.ts). */
  cost: LayerCost;
}
