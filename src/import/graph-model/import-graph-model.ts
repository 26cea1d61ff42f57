// Imports a TF.js graph model (tfjs-converter GraphDef JSON + weights) as a ModelBundle: a Keras functional topology, channels-last weights.
import { basename, dirname } from 'node:path';
import { fail } from '../../core/errors.ts';
import type { JsonObject, ModelBundle } from '../../core/types.ts';
import { KerasBuilder, type LayerRecord } from '../keras-builder.ts';
import { createConvertContext, type ConvertState } from './convert-context.ts';
import { convertPlaceholder } from './convert-shape.ts';
import { readGraphModel, type GraphDefModel } from './graph-def.ts';
import { countReaders, orderReachable, selectOutputs } from './graph-order.ts';
import { requireOp } from './op-table.ts';
import { rewriteClips } from './rewrite-clips.ts';

/** Options of a graph-model import. */
export interface GraphImportOptions {
  /** Import only the sub-graph up to these nodes (e.g. backbone and heads before post-processing). */
  outputs?: string[];
  /** Input size without the batch (e.g. [224, 224, 3]) for models whose Placeholder leaves H and W open. */
  inputShape?: number[];
}

/** Convert every node of the ordered sub-graph; returns the Keras builder and the values. */
function convertNodes(model: GraphDefModel, outputs: string[], options: GraphImportOptions): ConvertState {
  const order = orderReachable(rewriteClips(orderReachable(model.nodes, outputs, model.path), model.consts), outputs, model.path);
  const state: ConvertState = { builder: new KerasBuilder(), values: new Map(), readers: countReaders(order), outputs: new Set(outputs), producerOf: new Map(), batchNorms: new Set() };
  for (const node of order) {
    if (node.op === 'Const') {
      const tensor = model.consts.get(node.name);
      if (!tensor) fail('MISSING_WEIGHTS', { expected: `the value of Const node "${node.name}" in weightsManifest`, found: 'no such weight', where: model.path, hint: 'the weights manifest does not match the graph; re-convert the model' });
      state.values.set(node.name, { kind: 'const', tensor });
      continue;
    }
    const ctx = createConvertContext(state, node);
    const value = node.op === 'Placeholder' ? convertPlaceholder(ctx, options.inputShape) : requireOp(ctx)(ctx);
    if (value.kind === 'layer') state.producerOf.set(value.record, node.name);
    if (value.kind === 'layer' && node.op.startsWith('FusedBatchNorm')) state.batchNorms.add(value.record);
    state.values.set(node.name, value);
  }
  return state;
}

/** The layer record of an output node; constants cannot be outputs. */
function outputRecord(state: ConvertState, name: string, where: string): LayerRecord {
  const value = state.values.get(name);
  if (value?.kind !== 'layer') fail('UNSUPPORTED_OP', { expected: 'an output computed from the model input', found: `"${name}" is a constant`, where, hint: 'name another output node' });
  return value.record;
}

/**
 * Convert a parsed graph model to a ModelBundle (pure: no file access). Output layers take the
 * output nodes' names where free; `meta.importedFrom` records the source and whether
 * BatchNormalization survived (graph models usually have it folded into the convolutions).
 */
export function convertGraphModel(model: GraphDefModel, options: GraphImportOptions = {}): ModelBundle {
  const outputs = selectOutputs(model, options.outputs);
  const state = convertNodes(model, outputs, options);
  const records = outputs.map((name) => outputRecord(state, name, model.path));
  records.forEach((r, i) => {
    if (records.indexOf(r) === i) state.builder.rename(r, outputs[i] as string);
  });
  const inputs = state.builder.layers.filter((r) => r.className === 'InputLayer');
  const bundle = state.builder.toBundle(basename(dirname(model.path)) || 'graph_model', inputs, records, {});
  const layerNames = new Set(((bundle.topology['config'] as JsonObject)['layers'] as JsonObject[]).map((l) => l['name']));
  const batchNorm = [...state.batchNorms].some((r) => layerNames.has(r.name));
  const meta: JsonObject = {
    format: 'layers-model',
    generatedBy: typeof model.meta['generatedBy'] === 'string' ? model.meta['generatedBy'] : 'unknown',
    convertedBy: 'edge-prune import (tfjs graph model)',
    importedFrom: { format: 'tfjs-graph-model', file: model.path, outputs, batchNormFolded: !batchNorm, weightEncoding: model.weightEncoding },
  };
  return { ...bundle, meta };
}

/**
 * Import a TF.js graph model (model.json with `"format": "graph-model"` and its shards) as a
 * ModelBundle. Ops outside the supported set raise UNSUPPORTED_OP naming the node; `outputs`
 * limits the import to the sub-graph that computes those nodes.
 */
export async function importGraphModel(path: string, options: GraphImportOptions = {}): Promise<ModelBundle> {
  return convertGraphModel(await readGraphModel(path), options);
}
