// Parses a Keras topology (Sequential or functional, tfjs/Keras 2 and Keras 3 forms) into raw layer nodes.
import { fail } from '../core/errors.ts';
import type { JsonObject } from '../core/types.ts';

/** A layer as declared in the topology, before shapes and weights are resolved. */
export interface RawLayer {
  name: string;
  className: string;
  config: JsonObject;
  inputs: string[];
}

/** Declared layers plus the model's input and output layer names. */
export interface RawTopology {
  layers: RawLayer[];
  inputs: string[];
  outputs: string[];
}

/** Throw INVALID_MODEL about the topology. */
function bad(where: string, expected: string, found: unknown): never {
  fail('INVALID_MODEL', {
    expected,
    found: (JSON.stringify(found) ?? String(found)).slice(0, 160),
    where: `modelTopology${where}`,
    hint: 'model.json is not a Keras/TF.js Layers topology edge-prune can read',
  });
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Name and config of one declared layer. */
function readLayer(raw: unknown, where: string): { name: string; className: string; config: JsonObject; raw: JsonObject } {
  if (!isObject(raw)) bad(where, 'a layer object', raw);
  const className = raw['class_name'];
  const config = raw['config'];
  if (typeof className !== 'string') bad(`${where}.class_name`, 'a class name', className);
  if (!isObject(config)) bad(`${where}.config`, 'a config object', config);
  const name = raw['name'] ?? config['name'];
  if (typeof name !== 'string' || name === '') bad(`${where}.name`, 'a layer name', name);
  return { name, className, config, raw };
}

/** Layer names referenced by one inbound node (tfjs/Keras 2 list form or Keras 3 args form). */
function inboundNames(node: unknown, where: string): string[] {
  if (Array.isArray(node)) {
    return node.map((ref, i) => {
      if (!Array.isArray(ref) || typeof ref[0] !== 'string') bad(`${where}[${i}]`, '[layerName, nodeIndex, tensorIndex]', ref);
      return ref[0] as string;
    });
  }
  if (isObject(node) && Array.isArray(node['args'])) {
    const names: string[] = [];
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (isObject(v) && isObject(v['config']) && Array.isArray(v['config']['keras_history'])) {
        const history = v['config']['keras_history'];
        if (typeof history[0] !== 'string') bad(where, 'a keras_history layer name', history);
        names.push(history[0]);
      }
    };
    visit(node['args']);
    return names;
  }
  return bad(where, 'an inbound node', node);
}

/** Names from a functional model's input_layers/output_layers list. */
function endpointNames(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0) bad(where, 'a non-empty list of [layerName, 0, 0]', value);
  const list = typeof value[0] === 'string' ? [value] : value;
  return list.map((ref, i) => {
    if (!Array.isArray(ref) || typeof ref[0] !== 'string') bad(`${where}[${i}]`, '[layerName, 0, 0]', ref);
    return ref[0] as string;
  });
}

/** Sequential topology: a chain, with an implicit input layer when the first layer declares the shape. */
function parseSequential(config: unknown): RawTopology {
  const list = Array.isArray(config) ? config : isObject(config) ? config['layers'] : undefined;
  if (!Array.isArray(list) || list.length === 0) bad('.config.layers', 'a non-empty list of layers', list);
  const layers: RawLayer[] = [];
  let previous: string | undefined;
  list.forEach((raw, i) => {
    const layer = readLayer(raw, `.config.layers[${i}]`);
    if (i === 0 && layer.className !== 'InputLayer') {
      const shape = layer.config['batch_input_shape'] ?? layer.config['batchInputShape'] ?? layer.config['batch_shape'];
      if (shape === undefined) bad(`.config.layers[0].config`, 'batch_input_shape on the first layer', layer.config);
      previous = `${layer.name}_input`;
      layers.push({ name: previous, className: 'InputLayer', config: { name: previous, batch_input_shape: shape }, inputs: [] });
    }
    layers.push({ name: layer.name, className: layer.className, config: layer.config, inputs: previous ? [previous] : [] });
    previous = layer.name;
  });
  const first = layers[0] as RawLayer;
  return { layers, inputs: [first.name], outputs: [previous as string] };
}

/** Functional topology: layers with inbound nodes, explicit inputs and outputs. */
function parseFunctional(config: unknown): RawTopology {
  if (!isObject(config) || !Array.isArray(config['layers'])) bad('.config.layers', 'a list of layers', config);
  const layers = (config['layers'] as unknown[]).map((raw, i) => {
    const layer = readLayer(raw, `.config.layers[${i}]`);
    const inbound = layer.raw['inbound_nodes'] ?? [];
    if (!Array.isArray(inbound)) bad(`.config.layers[${i}].inbound_nodes`, 'a list', inbound);
    if (inbound.length > 1) {
      fail('UNSUPPORTED_LAYER', {
        expected: 'each layer called once',
        found: `layer called ${inbound.length} times (shared weights)`,
        where: `layer "${layer.name}" (class ${layer.className})`,
        hint: 'shared layers cannot be pruned independently; unshare them before pruning',
      });
    }
    const inputs = inbound.length === 1 ? inboundNames(inbound[0], `.config.layers[${i}].inbound_nodes[0]`) : [];
    return { name: layer.name, className: layer.className, config: layer.config, inputs };
  });
  return {
    layers,
    inputs: endpointNames(config['input_layers'], '.config.input_layers'),
    outputs: endpointNames(config['output_layers'], '.config.output_layers'),
  };
}

/** Parse model.json's modelTopology into declared layers. */
export function parseTopology(topology: JsonObject): RawTopology {
  const modelConfig = isObject(topology['model_config']) ? topology['model_config'] : topology;
  const className = modelConfig['class_name'];
  if (className === 'Sequential') return parseSequential(modelConfig['config']);
  if (className === 'Model' || className === 'Functional') return parseFunctional(modelConfig['config']);
  return bad('.class_name', 'Sequential, Model or Functional', className);
}

/** Put layers in topological order; fails on unknown references and cycles. */
export function sortTopologically(raw: RawTopology): RawLayer[] {
  const byName = new Map<string, RawLayer>();
  for (const layer of raw.layers) {
    if (byName.has(layer.name)) bad('', 'unique layer names', layer.name);
    byName.set(layer.name, layer);
  }
  for (const layer of raw.layers) {
    for (const input of layer.inputs) if (!byName.has(input)) bad(` layer "${layer.name}"`, 'inputs that name declared layers', input);
  }
  for (const name of [...raw.inputs, ...raw.outputs]) if (!byName.has(name)) bad('', 'input/output layers that are declared', name);
  const order: RawLayer[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  for (const root of raw.layers) {
    // Iterative depth-first search: deep chains cannot overflow the call stack.
    const stack: { layer: RawLayer; next: number }[] = [{ layer: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { layer: RawLayer; next: number };
      if (top.next === 0) {
        const s = state.get(top.layer.name);
        if (s === 'done') { stack.pop(); continue; }
        if (s === 'visiting') bad(` layer "${top.layer.name}"`, 'an acyclic graph', 'a cycle through this layer');
        state.set(top.layer.name, 'visiting');
      }
      const input = top.layer.inputs[top.next];
      if (input === undefined) {
        state.set(top.layer.name, 'done');
        order.push(top.layer);
        stack.pop();
        continue;
      }
      top.next += 1;
      const child = byName.get(input) as RawLayer;
      if (state.get(child.name) === 'visiting') bad(` layer "${child.name}"`, 'an acyclic graph', 'a cycle through this layer');
      if (state.get(child.name) !== 'done') stack.push({ layer: child, next: 0 });
    }
  }
  return order;
}
