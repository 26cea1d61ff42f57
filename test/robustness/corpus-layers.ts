// Corpus cases that attack layer configs: unknown classes, absurd sizes, wrong types in every field the tool reads.
import type { ErrorCode } from '../../src/core/errors.ts';
import type { CorpusCase, Expectation } from './case-types.ts';
import { editModel, layerOfClass, layersOf, type BaseFixture, type Json } from './corpus-base.ts';
import { modelCase } from './corpus-model.ts';

/** One field of one layer class set to a hostile value. */
interface FieldEdit {
  base: string;
  className: string;
  field: string;
  value: unknown;
  expect?: Expectation;
  codes?: ErrorCode[];
}

/** Values that are wrong for any count field (filters, units, depth_multiplier). */
const BAD_COUNTS: unknown[] = [1e9, 2 ** 40, -1, 4.5, '4', null, [4, 4], true, {}];
/** Values that are wrong for a pair field (kernel_size, strides, dilation_rate, pool_size). */
const BAD_PAIRS: unknown[] = [[0, 0], [1e9, 1e9], [3], [3, 3, 3], '3', [-3, 3], [1.5, 1.5], [null, 3], {}];

/** Field edits over the supported layer kinds of the fixtures. */
function fieldEdits(): FieldEdit[] {
  const edits: FieldEdit[] = [];
  for (const value of BAD_COUNTS) edits.push({ base: 'chain', className: 'Conv2D', field: 'filters', value });
  edits.push({ base: 'chain', className: 'Conv2D', field: 'filters', value: 0 });
  for (const value of BAD_PAIRS) edits.push({ base: 'chain', className: 'Conv2D', field: 'kernel_size', value });
  for (const value of [0, [0, 0], [-1, 1], [1e9, 1e9], 'x']) edits.push({ base: 'chain', className: 'Conv2D', field: 'strides', value });
  // A huge stride is legal arithmetic (a 1×1 output); the model must still load or fail cleanly.
  edits.push({ base: 'chain', className: 'Conv2D', field: 'strides', value: [65536, 65536], expect: 'any' });
  for (const value of [[0, 0], [1e9, 1e9], 'x']) edits.push({ base: 'chain', className: 'Conv2D', field: 'dilation_rate', value });
  for (const value of ['SAME', 'causal', 7, null]) edits.push({ base: 'chain', className: 'Conv2D', field: 'padding', value, ...(value === null ? { expect: 'any' as const } : {}) });
  edits.push({ base: 'chain', className: 'Conv2D', field: 'padding', value: 'valid', codes: ['WEIGHTS_MISMATCH', 'INVALID_MODEL'], expect: 'any' });
  for (const value of ['channels_first', 5]) edits.push({ base: 'chain', className: 'Conv2D', field: 'data_format', value });
  for (const value of ['yes', 1, 'false']) edits.push({ base: 'chain', className: 'Conv2D', field: 'use_bias', value, codes: ['MISSING_WEIGHTS'] });
  for (const value of [1e9, -1, '16', null, 0]) edits.push({ base: 'flatten-dense', className: 'Dense', field: 'units', value });
  for (const value of [2, 0, -1, 1e9, '1']) edits.push({ base: 'mobilenetv2', className: 'DepthwiseConv2D', field: 'depth_multiplier', value });
  for (const value of BAD_PAIRS.slice(0, 5)) edits.push({ base: 'mobilenetv2', className: 'DepthwiseConv2D', field: 'kernel_size', value });
  for (const value of [-1, [[1]], 'x', [[1, 1], [1, -1]], [1e9, 1e9]]) edits.push({ base: 'mobilenetv2', className: 'ZeroPadding2D', field: 'padding', value, ...(Array.isArray(value) && value[0] === 1e9 ? { expect: 'any' as const } : {}) });
  for (const value of [[0, 0], [1e9, 1e9], 'x', [2.5, 2]]) edits.push({ base: 'inception', className: 'MaxPooling2D', field: 'pool_size', value });
  for (const value of [[0, 0], 'x']) edits.push({ base: 'inception', className: 'AveragePooling2D', field: 'strides', value });
  // Keras counts the batch axis: on [N, H, W, C] tensors axis 3 is the channel axis, 1 and 2 are spatial.
  for (const value of [0, 1, 2, 99, -99, 1.5, 'x']) edits.push({ base: 'inception', className: 'Concatenate', field: 'axis', value });
  edits.push({ base: 'inception', className: 'Concatenate', field: 'axis', value: 3, expect: 'ok' });
  for (const value of [[], [-1, -1], [0], [7, 7], 'x', [1, 1, 1e9], [1, 1, 16.5]]) edits.push({ base: 'squeeze-excite', className: 'Reshape', field: 'target_shape', value });
  for (const value of [1, 2, 5, 'x']) edits.push({ base: 'inception', className: 'BatchNormalization', field: 'axis', value });
  for (const value of [3, [3]]) edits.push({ base: 'inception', className: 'BatchNormalization', field: 'axis', value, expect: 'ok' });
  for (const value of ['yes', 0]) edits.push({ base: 'inception', className: 'BatchNormalization', field: 'scale', value, expect: 'any' });
  edits.push({ base: 'inception', className: 'BatchNormalization', field: 'center', value: false, codes: ['WEIGHTS_MISMATCH', 'MISSING_WEIGHTS', 'INVALID_MODEL'], expect: 'any' });
  for (const value of ['swishy', 7, { class_name: 'Relu' }, 'softmax']) edits.push({ base: 'inception', className: 'Activation', field: 'activation', value, expect: 'any' });
  edits.push({ base: 'inception', className: 'GlobalAveragePooling2D', field: 'keepdims', value: true });
  return edits;
}

/** Every hostile layer-config case. */
export function layerCases(bases: Map<string, BaseFixture>): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const e of fieldEdits()) {
    const base = bases.get(e.base) as BaseFixture;
    const what = `${e.className}.${e.field} = ${JSON.stringify(e.value)}`;
    cases.push(modelCase(base, what, editModel(base, (j) => {
      const layer = layerOfClass(j, e.className);
      if (!layer) throw new Error(`corpus: no ${e.className} in ${e.base}`);
      layer.config[e.field] = e.value;
    }), e.expect ?? 'error', e.codes));
  }
  // Unknown layer classes, including names that exist on Object.prototype.
  const unknown = ['FancyNorm', 'Lambda', 'Conv3D', 'LSTM', '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''];
  for (const [i, className] of unknown.entries()) {
    const base = bases.get(i % 2 === 0 ? 'inception' : 'flatten-dense') as BaseFixture;
    cases.push(modelCase(base, `unknown layer class ${JSON.stringify(className)}`, editModel(base, (j) => {
      const layer = layersOf(j).find((l: Json) => l.class_name === 'Activation' || l.class_name === 'BatchNormalization');
      layer.class_name = className;
    }), 'error', ['UNSUPPORTED_LAYER', 'INVALID_MODEL']));
  }
  // Layer names that collide with Object.prototype members: must work like any other name.
  for (const name of ['__proto__', 'constructor', 'toString']) {
    const base = bases.get('inception') as BaseFixture;
    cases.push(modelCase(base, `layer renamed ${name}`, editModel(base, (j) => {
      const layers = layersOf(j);
      const target = layers.find((l: Json) => l.name === 'incA_1x1_conv');
      target.name = name;
      target.config.name = name;
      for (const l of layers) for (const ref of l.inbound_nodes?.[0] ?? []) if (ref[0] === 'incA_1x1_conv') ref[0] = name;
      for (const spec of j.weightsManifest[0].weights) spec.name = spec.name.replace(/^incA_1x1_conv\//, `${name}/`);
    }), 'any'));
  }
  return cases;
}
