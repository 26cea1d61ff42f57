// The plain, serializable data that flows between stages (DESIGN.md §1), named as in the glossary.

/** A JSON object as parsed from a Keras/TF.js file. */
export type JsonObject = { [key: string]: unknown };

/** Dtypes a weight may have in memory; quantized weights are dequantized to float32 on load. */
export type WeightDtype = 'float32' | 'int32';

/** One named weight tensor of a bundle, channels-last as Keras stores it. */
export interface WeightEntry {
  /** Manifest name, e.g. `conv2d_1/kernel`. */
  name: string;
  shape: number[];
  dtype: WeightDtype;
  data: Float32Array;
}

/** A model in memory: the Keras topology as written in model.json plus its named weights. */
export interface ModelBundle {
  /** `modelTopology` of model.json, kept as parsed so unknown fields survive a round trip. */
  topology: JsonObject;
  /** Weights in manifest order. */
  weights: WeightEntry[];
  /** Other top-level fields of model.json (format, generatedBy, convertedBy, ...), kept verbatim. */
  meta: JsonObject;
}

/** One layer of the graph, normalized from Sequential or functional topology. */
export interface GraphNode {
  name: string;
  /** Keras class name, e.g. `Conv2D`. */
  className: string;
  config: JsonObject;
  /** Names of the layers whose outputs this layer reads, in order. */
  inputs: string[];
  /** Output shape without the batch dimension (channels-last). */
  outputShape: number[];
  /** Weight role (e.g. `kernel`, `gamma`) to the weight's manifest name. */
  weights: Record<string, string>;
}

/** The model as a graph in topological order. */
export interface Graph {
  nodes: GraphNode[];
  /** Names of input layers. */
  inputs: string[];
  /** Names of output layers. */
  outputs: string[];
}

/**
 * Role of a member inside a channel group: `producer` (output axis of a conv/dense kernel or its
 * bias), `consumer` (input axis of a kernel that reads the channels), `pass` (per-channel weights of
 * a layer the channels pass through, e.g. BatchNormalization), `config` (a layer config field that
 * counts the channels, e.g. `filters`).
 */
export type MemberRole = 'producer' | 'consumer' | 'pass' | 'config';

/** A depthwise layer met between a group's producers and one consumer, with its channel offset. */
export interface ViaDepthwise {
  layer: string;
  offset: number;
}

/**
 * One weight tensor axis inside a channel group. Channel i of the group owns the indices
 * `{ r * stride + offset + i : 0 <= r < repeat }` on `axis` of `weight`.
 */
export interface Member {
  layer: string;
  /** Manifest name of the weight, or the config field name for `config` members. */
  weight: string;
  /** Weight slot in its layer (`kernel`, `bias`, `gamma`, ...) or the config field name. */
  slot: string;
  /** Tensor axis; for `config` members the index in an array field, or -1 for a number field. */
  axis: number;
  role: MemberRole;
  offset: number;
  stride: number;
  repeat: number;
  /** For consumers: depthwise layers passed on the way from the producers (part of the FSCL path). */
  via?: ViaDepthwise[];
}

/** Channels coupled across layers that must be pruned together. */
export interface ChannelGroup {
  /** Stable id: the first producing layer's name in topological order. */
  id: string;
  size: number;
  locked: boolean;
  /** Why the group is locked (empty when it is not). */
  lockReasons: string[];
  members: Member[];
}

/** Per-channel scores of every group under one criterion; higher means more worth keeping. */
export interface Scores {
  criterion: string;
  groups: { id: string; scores: number[] }[];
}

/** The decision of what to prune: per group, the sorted channel indices to drop. */
export interface PrunePlan {
  version: 1;
  /** Criterion that ranked the channels, for the record. */
  criterion: string;
  groups: { id: string; size: number; drop: number[] }[];
  /**
   * How the pruned model's weights are stored (and, for int8, computed): chosen by the search when
   * a budget is met by encoding instead of further pruning. Absent (older plans): the source's encoding.
   */
  encoding?: PlanEncoding;
}

/** Encodings a plan can choose, least lossy first: float16/uint8 weights (dequantized at load) or int8 compute (onnxruntime QDQ). */
export const PLAN_ENCODINGS = ['float32', 'float16', 'uint8', 'int8'] as const;

/** One of `PLAN_ENCODINGS`. */
export type PlanEncoding = (typeof PLAN_ENCODINGS)[number];

/** Multiply-accumulate and parameter counts at batch 1. */
export interface ModelCost {
  macs: number;
  params: number;
  /** Per-layer figures in graph order. */
  layers: { name: string; className: string; macs: number; params: number; outputShape: number[] }[];
}
