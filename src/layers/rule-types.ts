// Types of the layer-rule table: how each Keras layer kind shapes, counts and couples channels.
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
 * - `mixing`: mixes channels (e.g. Softmax): inputs are locked, output is a new locked space.
 */
export type ChannelKind = 'input' | 'producer' | 'pass' | 'merge' | 'concat' | 'flatten' | 'reshape' | 'mixing';

/** A weight slot's axis that indexes channels. */
export interface SlotAxis {
  slot: string;
  axis: number;
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
}
