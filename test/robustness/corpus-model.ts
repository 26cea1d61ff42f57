// Corpus cases that attack model.json: bad JSON, wrong top-level types, deep nesting, a huge file, broken topologies.
import type { ErrorCode } from '../../src/core/errors.ts';
import type { FixtureName } from '../fixtures/build-fixtures.ts';
import { text, type CorpusCase, type Expectation, type FileSpec } from './case-types.ts';
import { editModel, layersOf, modelConfigOf, nameOf, nestedArrays, replaceRaw, type BaseFixture, type Json } from './corpus-base.ts';

/** A case that replaces model.json. */
export function modelCase(base: BaseFixture | FixtureName, what: string, file: FileSpec, expect: Expectation = 'error', codes?: ErrorCode[]): CorpusCase {
  const name = typeof base === 'string' ? base : base.name;
  return { id: `model/${name}/${what}`, kind: 'model', base: name, files: { 'model.json': file }, run: {}, expect, ...(codes ? { codes } : {}) };
}

const JSON_ERRORS: ErrorCode[] = ['INVALID_JSON'];
const MODEL_ERRORS: ErrorCode[] = ['INVALID_MODEL', 'INVALID_JSON'];

/** model.json that is not valid JSON, not an object, truncated, deeply nested or huge. */
export function badJsonCases(bases: BaseFixture[], random: () => number): CorpusCase[] {
  const [chain, dense, inception] = bases as [BaseFixture, BaseFixture, BaseFixture];
  // Keras 3 call form ({args, kwargs}) whose args nest deeper than a recursive visitor can go.
  const keras3 = editModel(inception, (j) => { layersOf(j)[1].inbound_nodes = [{ args: '@ARGS@', kwargs: {} }]; });
  const keras3Text = new TextDecoder().decode((keras3 as { data: Uint8Array }).data).replace('"@ARGS@"', nestedArrays(20_000));
  const cases: CorpusCase[] = [
    modelCase(chain, 'empty file', text(''), 'error', JSON_ERRORS),
    modelCase(chain, 'whitespace only', text('  \n\t '), 'error', JSON_ERRORS),
    modelCase(chain, 'trailing comma', text(chain.modelText.replace(/}\s*$/, ',}')), 'error', JSON_ERRORS),
    modelCase(chain, 'single quotes', text(chain.modelText.replace(/"/g, "'")), 'error', JSON_ERRORS),
    modelCase(chain, 'NaN literal', text(replaceRaw(chain.modelText, 'scale', 'NaN')), 'error', JSON_ERRORS),
    modelCase(chain, 'comment line', text(`// exported\n${chain.modelText}`), 'error', JSON_ERRORS),
    modelCase(chain, 'byte order mark', text(`\uFEFF${chain.modelText}`), 'error', JSON_ERRORS),
    modelCase(chain, 'NUL byte inside', text(chain.modelText.replace('"format"', '"for\u0000mat"').replace('{', '{\u0000')), 'error', JSON_ERRORS),
    modelCase(chain, 'UTF-16 encoded', { type: 'bytes', data: new Uint8Array(Buffer.from(`\uFEFF${chain.modelText}`, 'utf16le')) }, 'error', JSON_ERRORS),
    modelCase(chain, 'two concatenated objects', text(chain.modelText + chain.modelText), 'error', JSON_ERRORS),
    modelCase(chain, 'literal null', text('null'), 'error', MODEL_ERRORS),
    modelCase(chain, 'literal number', text('42'), 'error', MODEL_ERRORS),
    modelCase(chain, 'literal string', text('"model"'), 'error', MODEL_ERRORS),
    modelCase(chain, 'literal true', text('true'), 'error', MODEL_ERRORS),
    modelCase(chain, 'an array', text(`[${chain.modelText}]`), 'error', MODEL_ERRORS),
    modelCase(chain, 'empty object', text('{}'), 'error', MODEL_ERRORS),
    modelCase(chain, 'a graph model (no layers topology)', text('{"format":"graph-model","modelTopology":{"node":[]},"weightsManifest":[]}'), 'error', MODEL_ERRORS),
    // Nesting deeper than any recursive walker (JSON.stringify, structuredClone, a visitor) can take.
    modelCase(chain, 'deep nesting as the whole file', text(nestedArrays(100_000)), 'error', MODEL_ERRORS),
    modelCase(chain, 'deep nesting as modelTopology', text(`{"modelTopology":${nestedArrays(20_000)},"weightsManifest":[]}`), 'error', MODEL_ERRORS),
    modelCase(chain, 'deep nesting as config.layers', text(`{"modelTopology":{"class_name":"Sequential","config":{"layers":${nestedArrays(20_000)}}}}`), 'error', MODEL_ERRORS),
    modelCase(chain, 'deep nesting in an unused layer field', text(replaceRaw(chain.modelText, 'kernel_regularizer', nestedArrays(20_000))), 'error', MODEL_ERRORS),
    modelCase(chain, 'deep nesting in filters', text(replaceRaw(chain.modelText, 'filters', nestedArrays(20_000))), 'error', MODEL_ERRORS),
    modelCase(chain, 'deep nesting in weightsManifest', text(chain.modelText.replace(/"weightsManifest"\s*:\s*\[/, `"weightsManifest": [${nestedArrays(20_000)},`)), 'error', MODEL_ERRORS),
    modelCase(inception, 'deep nesting in inbound_nodes', text(inception.modelText.replace(/"inbound_nodes"\s*:\s*\[\s*\[\s*\[\s*"input"/, `"inbound_nodes": [[${nestedArrays(20_000)}, ["input"`)), 'error', MODEL_ERRORS),
    modelCase(inception, 'deep nesting in Keras 3 call args', text(keras3Text), 'error', MODEL_ERRORS),
    // A file over the size limit, made sparse so it costs no disk.
    modelCase(chain, 'huge (65 MiB, sparse) model.json', { type: 'sparse', size: 65 * 1024 * 1024 }, 'error', MODEL_ERRORS),
    modelCase(dense, 'model.json is a directory', { type: 'dir' }, 'error', ['IO_ERROR']),
    modelCase(dense, 'model.json is a FIFO', { type: 'fifo' }, 'error', ['IO_ERROR']),
    modelCase(dense, 'model.json missing', { type: 'delete' }, 'error', ['IO_ERROR']),
    modelCase(dense, 'model.json is a symlink loop', { type: 'symlink', target: 'model.json' }, 'error', ['IO_ERROR']),
    modelCase(dense, 'random binary bytes', { type: 'bytes', data: Uint8Array.from({ length: 4096 }, () => Math.floor(random() * 256)) }, 'error', JSON_ERRORS),
  ];
  // Truncations at seeded points of every base (never a whole file).
  for (const base of bases) {
    for (let k = 0; k < 3; k++) {
      const cut = 1 + Math.floor(random() * (base.modelText.length - 2));
      cases.push(modelCase(base, `truncated at byte ${cut}`, text(base.modelText.slice(0, cut)), 'error', JSON_ERRORS));
    }
  }
  return cases;
}

/** Wrong top-level fields and broken topology structure (cycles, dangling names, duplicates). */
export function topologyCases(bases: Map<string, BaseFixture>): CorpusCase[] {
  const chain = bases.get('chain') as BaseFixture;
  const inc = bases.get('inception') as BaseFixture;
  const se = bases.get('squeeze-excite') as BaseFixture;
  const m = (b: BaseFixture, what: string, edit: (j: Json) => void, expect: Expectation = 'error', codes?: ErrorCode[]): CorpusCase =>
    modelCase(b, what, editModel(b, edit), expect, codes);
  const L = (j: Json): Json[] => layersOf(j);
  const inbound = (layer: Json): Json[] => layer.inbound_nodes[0];
  return [
    m(chain, 'modelTopology missing', (j) => { delete j.modelTopology; }),
    m(chain, 'modelTopology null', (j) => { j.modelTopology = null; }),
    m(chain, 'modelTopology a string', (j) => { j.modelTopology = 'Sequential'; }),
    m(chain, 'modelTopology an array', (j) => { j.modelTopology = [j.modelTopology]; }),
    m(chain, 'modelTopology empty object', (j) => { j.modelTopology = {}; }),
    m(chain, 'class_name missing', (j) => { delete modelConfigOf(j).class_name; }),
    m(chain, 'class_name lowercase', (j) => { modelConfigOf(j).class_name = 'sequential'; }),
    m(chain, 'class_name a number', (j) => { modelConfigOf(j).class_name = 7; }),
    m(chain, 'class_name __proto__', (j) => { modelConfigOf(j).class_name = '__proto__'; }),
    m(chain, 'config missing', (j) => { delete modelConfigOf(j).config; }),
    m(chain, 'config null', (j) => { modelConfigOf(j).config = null; }),
    m(chain, 'layers empty', (j) => { modelConfigOf(j).config.layers = []; }),
    m(chain, 'layers an object', (j) => { modelConfigOf(j).config.layers = { 0: L(j)[0] }; }),
    m(chain, 'layers contains null', (j) => { L(j).push(null); }),
    m(chain, 'layers contains a number', (j) => { L(j).splice(1, 0, 5); }),
    m(chain, 'layer without class_name', (j) => { delete L(j)[1].class_name; }),
    m(chain, 'layer without config', (j) => { delete L(j)[1].config; }),
    m(chain, 'layer config an array', (j) => { L(j)[1].config = [L(j)[1].config]; }),
    m(chain, 'layer name empty', (j) => { L(j)[1].config.name = ''; }),
    m(chain, 'layer name a number', (j) => { L(j)[1].config.name = 12; }),
    m(chain, 'duplicate layer names (sequential)', (j) => { L(j)[1].config.name = L(j)[0].config.name; }),
    m(chain, 'first layer without input shape', (j) => { delete L(j)[0].config.batch_input_shape; }),
    m(chain, 'input shape rank 1', (j) => { L(j)[0].config.batch_input_shape = [null]; }),
    m(chain, 'input shape with a zero', (j) => { L(j)[0].config.batch_input_shape = [null, 0, 16, 3]; }),
    m(chain, 'input shape negative', (j) => { L(j)[0].config.batch_input_shape = [null, -16, 16, 3]; }),
    m(chain, 'input shape fractional', (j) => { L(j)[0].config.batch_input_shape = [null, 16.5, 16, 3]; }),
    m(chain, 'input shape strings', (j) => { L(j)[0].config.batch_input_shape = [null, '16', '16', '3']; }),
    m(chain, 'input shape 2^40 pixels', (j) => { L(j)[0].config.batch_input_shape = [null, 2 ** 20, 2 ** 20, 3]; }),
    m(chain, 'input shape 1e6 x 1e6 (no allocation may follow)', (j) => { L(j)[0].config.batch_input_shape = [null, 1e6, 1e6, 3]; }, 'any'),
    m(chain, 'input shape rank 2', (j) => { L(j)[0].config.batch_input_shape = [null, 16]; }),
    m(chain, 'input shape rank 5', (j) => { L(j)[0].config.batch_input_shape = [null, 4, 16, 16, 3]; }),
    m(chain, 'a 20,000-layer chain of ReLU layers (time must stay linear)', (j) => { L(j).splice(1, 0, ...Array.from({ length: 20_000 }, (_, i) => ({ class_name: 'ReLU', config: { name: `relu_${i}` } }))); }, 'any'),
    m(chain, 'channels_first data format', (j) => { L(j)[0].config.data_format = 'channels_first'; }),
    m(inc, 'duplicate layer names (functional)', (j) => { L(j)[5].name = L(j)[4].name; L(j)[5].config.name = L(j)[4].name; }),
    m(inc, 'inbound names an undeclared layer', (j) => { inbound(L(j)[4])[0][0] = 'ghost'; }),
    m(inc, 'self loop', (j) => { inbound(L(j)[4])[0][0] = nameOf(L(j)[4]); }),
    m(inc, 'two-layer cycle', (j) => { inbound(L(j)[1])[0][0] = nameOf(L(j)[2]); }),
    m(inc, 'long cycle through a concatenate', (j) => { inbound(L(j)[4])[0][0] = 'incA_concat'; }),
    m(inc, 'cycle unreachable from the input', (j) => { L(j).push({ name: 'c1', class_name: 'ReLU', config: { name: 'c1' }, inbound_nodes: [[['c2', 0, 0, {}]]] }, { name: 'c2', class_name: 'ReLU', config: { name: 'c2' }, inbound_nodes: [[['c1', 0, 0, {}]]] }); }),
    m(inc, 'inbound_nodes an object', (j) => { L(j)[4].inbound_nodes = { a: 1 }; }),
    m(inc, 'inbound ref not a list', (j) => { L(j)[4].inbound_nodes = [['stem_relu']]; }),
    m(inc, 'inbound ref name a number', (j) => { inbound(L(j)[4])[0][0] = 3; }),
    m(inc, 'inbound ref name __proto__', (j) => { inbound(L(j)[4])[0][0] = '__proto__'; }),
    m(inc, 'layer called twice (shared weights)', (j) => { L(j)[4].inbound_nodes.push(L(j)[4].inbound_nodes[0]); }, 'error', ['UNSUPPORTED_LAYER']),
    m(inc, 'a conv with no inbound node', (j) => { L(j)[4].inbound_nodes = []; }),
    m(inc, 'input_layers empty', (j) => { modelConfigOf(j).config.input_layers = []; }),
    m(inc, 'input_layers names an undeclared layer', (j) => { modelConfigOf(j).config.input_layers = [['nope', 0, 0]]; }),
    m(inc, 'output_layers missing', (j) => { delete modelConfigOf(j).config.output_layers; }),
    m(inc, 'output_layers a string', (j) => { modelConfigOf(j).config.output_layers = 'fc'; }),
    m(inc, 'output_layers names an undeclared layer', (j) => { modelConfigOf(j).config.output_layers = [['nope', 0, 0]]; }),
    m(inc, 'concatenate with one input missing', (j) => { inbound(L(j).find((l: Json) => l.class_name === 'Concatenate')).pop(); }, 'error'),
    m(inc, 'concatenate of mismatched spatial sizes', (j) => { inbound(L(j).find((l: Json) => l.class_name === 'Concatenate')).push(['input', 0, 0, {}]); }),
    m(inc, 'concatenate of an undeclared tensor index', (j) => { inbound(L(j).find((l: Json) => l.class_name === 'Concatenate'))[0][2] = 99; }, 'any'),
    m(se, 'multiply of mismatched channels', (j) => { inbound(L(j).find((l: Json) => l.class_name === 'Multiply'))[1][0] = 'se_reduce'; }),
    m(se, 'merge with a single input', (j) => { inbound(L(j).find((l: Json) => l.class_name === 'Multiply')).pop(); }, 'any'),
  ];
}
