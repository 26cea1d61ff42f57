// Writes hand-built TF.js graph models (GraphDef JSON + shards, optionally quantized and sharded) for ops the exporter never emits.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonObject } from '../../src/core/types.ts';
import { encodeWeightsAs, type StorageDtype } from '../../src/bundle/quantize.ts';
import { addConst, addInt32Const, addTfNode, attr, createTfGraphState, type TfAttr, type TfGraphState } from '../../src/export/graph-context.ts';
import { createRng, type Rng } from '../fixtures/random.ts';

/** NHWC conv-style attributes. */
export function windowAttrs(strides = 1, padding: 'SAME' | 'VALID' | 'EXPLICIT' = 'SAME'): Record<string, TfAttr> {
  return { T: attr.float(), data_format: attr.str('NHWC'), padding: attr.str(padding), strides: attr.ints([1, strides, strides, 1]), dilations: attr.ints([1, 1, 1, 1]) };
}

/** Fused-op attributes as tfjs-converter writes them. */
export function fusedAttrs(ops: string[], extra: Record<string, TfAttr> = {}): Record<string, TfAttr> {
  return { fused_ops: attr.strs(ops), num_args: attr.int(ops.includes('Prelu') ? 2 : 1), epsilon: attr.f(0), ...extra };
}

/** A GraphDef under construction with seeded random constants. */
export class GraphDefWriter {
  readonly state: TfGraphState = createTfGraphState();
  readonly rng: Rng;

  constructor(seed: number) {
    this.rng = createRng(seed);
  }

  /** A float32 Placeholder [-1, ...shape]. */
  input(name: string, shape: number[]): string {
    return addTfNode(this.state, 'Placeholder', [], name, { dtype: attr.float(), shape: attr.shape([-1, ...shape]) });
  }

  /** A Const of normal values (std `scale`, plus `offset`). */
  random(name: string, shape: number[], scale = 0.3, offset = 0): string {
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => offset + this.rng.normal(0, scale));
    return addConst(this.state, name, shape, data);
  }

  /** A Const of given float values. */
  values(name: string, shape: number[], data: number[]): string {
    return addConst(this.state, name, shape, Float32Array.from(data));
  }

  /** A shared int32 Const. */
  ints(values: number[], shape?: number[]): string {
    return addInt32Const(this.state, values, shape);
  }

  /** Any op node. */
  op(op: string, inputs: string[], name: string, attrs: Record<string, TfAttr> = {}): string {
    return addTfNode(this.state, op, inputs, name, { T: attr.float(), ...attrs });
  }

  /** Write model.json and `shards` shard files into `dir` with the weights stored as `dtype`; returns model.json's path. */
  async write(dir: string, options: { dtype?: StorageDtype; shards?: number; signatureOutputs?: string[] } = {}): Promise<string> {
    await mkdir(dir, { recursive: true });
    const { specs, bytes } = encodeWeightsAs(this.state.consts, options.dtype ?? 'float32');
    const count = options.shards ?? 1;
    const size = Math.ceil(bytes.byteLength / count);
    const paths: string[] = [];
    for (let i = 0; i < count; i++) {
      const name = `group1-shard${i + 1}of${count}.bin`;
      paths.push(name);
      await writeFile(join(dir, name), bytes.subarray(i * size, Math.min(bytes.byteLength, (i + 1) * size)));
    }
    const json: JsonObject = {
      format: 'graph-model',
      generatedBy: 'hand-built test graph',
      convertedBy: 'test',
      modelTopology: { node: this.state.nodes as unknown as JsonObject[], library: {}, versions: {} },
      weightsManifest: [{ paths, weights: specs as unknown as JsonObject[] }],
    };
    if (options.signatureOutputs) json['signature'] = { outputs: Object.fromEntries(options.signatureOutputs.map((o) => [`${o}:0`, { name: `${o}:0` }])) };
    const path = join(dir, 'model.json');
    await writeFile(path, JSON.stringify(json));
    return path;
  }
}
