// Corpus cases that attack the ONNX importer: truncated and malformed protobufs, bad tensors, escaping external data, cycles.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { onnx as OnnxTypes } from 'onnx-proto';
import type { ErrorCode } from '../../src/core/errors.ts';
import { createValueInfo, decodeModel, encodeModel } from '../../src/export/onnx-tensors.ts';
import { ONNX_FIXTURE_DIR } from '../import/helpers.ts';
import { bytes, type CorpusCase, type Expectation, type FileSpec } from './case-types.ts';

/** A case over an empty folder holding `model.onnx` (and any other files). */
function onnxCase(base: string, what: string, files: Record<string, FileSpec>, expect: Expectation = 'error', codes?: ErrorCode[]): CorpusCase {
  return { id: `model/onnx-${base}/${what}`, kind: 'model', base: 'none', files, run: { model: 'model.onnx' }, expect, ...(codes ? { codes } : {}) };
}

/** Encode a changed copy of a decoded model. */
function edited(source: Uint8Array, change: (m: OnnxTypes.ModelProto) => void): FileSpec {
  const model = decodeModel(source);
  change(model);
  return bytes(encodeModel(model));
}

/** A chain of `n` Relu nodes on an [N, 3, 8, 8] input (a graph too deep to convert recursively). */
function deepChain(n: number): FileSpec {
  const node = Array.from({ length: n }, (_, i) => ({ name: `r${i}`, opType: 'Relu', input: [i === 0 ? 'x' : `t${i - 1}`], output: [`t${i}`] }));
  return bytes(encodeModel({ irVersion: 7, opsetImport: [{ domain: '', version: 13 }], graph: { name: 'g', node, input: [createValueInfo('x', ['batch', 3, 8, 8])], output: [createValueInfo(`t${n - 1}`, ['batch', 3, 8, 8])] } }));
}

/** Hostile ONNX files made from the committed fixtures (test/fixtures/onnx). */
export async function onnxCases(): Promise<CorpusCase[]> {
  const resnet = new Uint8Array(await readFile(join(ONNX_FIXTURE_DIR, 'resnet-opset13.onnx')));
  const external = new Uint8Array(await readFile(join(ONNX_FIXTURE_DIR, 'external-data/model.onnx')));
  const weights = new Uint8Array(await readFile(join(ONNX_FIXTURE_DIR, 'external-data/weights.bin')));
  const r = (what: string, change: (m: OnnxTypes.ModelProto) => void, codes?: ErrorCode[], expect: Expectation = 'error'): CorpusCase =>
    onnxCase('resnet', what, { 'model.onnx': edited(resnet, change) }, expect, codes);
  const location = (m: OnnxTypes.ModelProto, value: string): void => {
    for (const t of m.graph!.initializer!) for (const e of t.externalData ?? []) if (e.key === 'location') e.value = value;
  };
  const x = (what: string, change: (m: OnnxTypes.ModelProto) => void, extra: Record<string, FileSpec>, codes?: ErrorCode[]): CorpusCase =>
    onnxCase('external', what, { 'model.onnx': edited(external, change), ...extra }, 'error', codes);
  const firstConv = (m: OnnxTypes.ModelProto): OnnxTypes.INodeProto => m.graph!.node!.find((n) => n.opType === 'Conv')!;
  return [
    ...[0.1, 0.5, 0.99].map((f) => onnxCase('resnet', `truncated at ${f * 100}%`, { 'model.onnx': bytes(resnet.subarray(0, Math.floor(resnet.length * f))) }, 'error', ['INVALID_MODEL', 'WEIGHTS_MISMATCH'])),
    onnxCase('none', 'protobuf-looking noise', { 'model.onnx': bytes(Uint8Array.from({ length: 4096 }, (_, i) => (i === 0 ? 0x08 : (i * 2654435761) >>> 24))) }, 'error', ['INVALID_MODEL']),
    onnxCase('resnet', 'deep chain of 100000 Relu nodes', { 'model.onnx': deepChain(100_000) }, 'error', ['UNSUPPORTED_OP']),
    r('no nodes', (m) => { m.graph!.node = []; }, ['INVALID_MODEL']),
    r('no opset import', (m) => { m.opsetImport = []; }, ['INVALID_MODEL']),
    r('missing initializer', (m) => { m.graph!.initializer!.shift(); }, ['MISSING_WEIGHTS']),
    r('initializer bytes cut short', (m) => { const t = m.graph!.initializer![0]!; t.rawData = t.rawData!.subarray(0, 8); }, ['WEIGHTS_MISMATCH']),
    r('initializer of 2^40 elements', (m) => { m.graph!.initializer![0]!.dims = [2 ** 20, 2 ** 20]; }, ['INVALID_MODEL']),
    r('initializer with a negative dim', (m) => { m.graph!.initializer![0]!.dims = [-4, 3, 3, 3]; }, ['INVALID_MODEL']),
    r('string initializer', (m) => { m.graph!.initializer![0]!.dataType = 8; }, ['UNSUPPORTED_OP']),
    r('Conv weight with a wrong channel count', (m) => { const t = m.graph!.initializer!.find((i) => i.name === firstConv(m).input![1])!; const out = Number(t.dims![0]); t.dims = [out, 1, 3, 3]; t.rawData = t.rawData!.subarray(0, 4 * out * 9); }, ['WEIGHTS_MISMATCH']),
    r('unknown operator', (m) => { m.graph!.node!.find((n) => n.opType === 'Relu')!.opType = 'NonMaxSuppression'; }, ['UNSUPPORTED_OP']),
    r('operator of a custom domain', (m) => { m.graph!.node!.find((n) => n.opType === 'Relu')!.domain = 'com.example'; }, ['UNSUPPORTED_OP']),
    r('cycle through the first Conv', (m) => { const c = firstConv(m); c.input![0] = c.output![0]!; }, ['INVALID_MODEL']),
    r('tensor produced twice', (m) => { const [a, b] = m.graph!.node!.filter((n) => n.opType === 'Relu'); b!.output = [...a!.output!]; }, ['INVALID_MODEL']),
    r('second input', (m) => { m.graph!.input!.push(createValueInfo('extra', ['batch', 3, 32, 32])); }, ['UNSUPPORTED_OP']),
    r('symbolic height', (m) => { m.graph!.input![0]!.type!.tensorType!.shape!.dim![2] = { dimParam: 'h' }; }, ['UNSUPPORTED_OP']),
    r('int64 input', (m) => { m.graph!.input![0]!.type!.tensorType!.elemType = 7; }, ['UNSUPPORTED_OP']),
    r('output nobody produces', (m) => { m.graph!.output![0]!.name = 'nowhere'; }, ['INVALID_MODEL']),
    r('Conv stride 0', (m) => { firstConv(m).attribute!.find((a) => a.name === 'strides')!.ints = [0, 0]; }, ['UNSUPPORTED_OP']),
    r('Conv with negative pads', (m) => { firstConv(m).attribute!.find((a) => a.name === 'pads')!.ints = [-1, -1, -1, -1]; }, ['UNSUPPORTED_OP']),
    x('external data outside the folder', (m) => location(m, '../weights.bin'), { '../weights.bin': bytes(weights) }, ['PATH_ESCAPE']),
    x('external data at an absolute path', (m) => location(m, '/etc/passwd'), {}, ['PATH_ESCAPE']),
    x('external data through a link outside', (m) => location(m, 'weights.bin'), { 'weights.bin': { type: 'symlink', target: '@OUTSIDE@/shard.bin' } }, ['PATH_ESCAPE']),
    x('external data file missing', (m) => location(m, 'weights.bin'), {}, ['MISSING_WEIGHTS']),
    x('external data offset past the end', (m) => { for (const t of m.graph!.initializer!) for (const e of t.externalData ?? []) if (e.key === 'offset') e.value = String(2 ** 40); }, { 'weights.bin': bytes(weights) }, ['WEIGHTS_MISMATCH']),
    x('external data a folder', (m) => location(m, 'weights.bin'), { 'weights.bin': { type: 'dir' } }, ['MISSING_WEIGHTS']),
    x('external data a FIFO', (m) => location(m, 'weights.bin'), { 'weights.bin': { type: 'fifo' } }, ['WEIGHTS_MISMATCH', 'MISSING_WEIGHTS']),
  ];
}
