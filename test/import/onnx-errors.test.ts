// Malformed and unsupported ONNX files: each is a typed EdgePruneError naming what is wrong, and `import` writes nothing.
// tier: full (spawns the CLI)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { isEdgePruneError, type ErrorCode } from '../../src/core/errors.ts';
import { createFloatTensor, createValueInfo, decodeModel, encodeModel } from '../../src/export/onnx-tensors.ts';
import { loadModel } from '../../src/import/load-model.ts';
import { fixturePath, ONNX_FIXTURE_DIR } from './helpers.ts';

const work = await mkdtemp(join(tmpdir(), 'edge-prune-onnx-errors-'));
after(() => rm(work, { recursive: true, force: true }));

/** Write a fixture after a change to its decoded model; returns the new file's path. */
async function mutate(name: string, source: string, change: (m: OnnxTypes.ModelProto) => void): Promise<string> {
  const model = decodeModel(new Uint8Array(await readFile(source)));
  change(model);
  const path = join(work, `${name}.onnx`);
  await writeFile(path, encodeModel(model));
  return path;
}

/** A one-Conv model: input [N, 4, 8, 8], Conv with the given group and weight dims. */
async function oneConv(name: string, group: number, weightDims: number[], inputDims: (number | string)[] = ['batch', 4, 8, 8]): Promise<string> {
  const count = weightDims.reduce((a, b) => a * b, 1);
  const model: OnnxTypes.IModelProto = {
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [{ name: 'conv', opType: 'Conv', input: ['x', 'w'], output: ['y'], attribute: [{ name: 'group', type: 2, i: group }] }],
      initializer: [createFloatTensor('w', weightDims, new Float32Array(count).fill(0.1))],
      input: [createValueInfo('x', inputDims)],
      output: [createValueInfo('y', ['batch', weightDims[0] as number, 6, 6])],
    },
  };
  const path = join(work, `${name}.onnx`);
  await writeFile(path, encodeModel(model));
  return path;
}

/** Assert loading `path` fails with `code` and a message matching `pattern`. */
async function assertFails(path: string, code: ErrorCode, pattern: RegExp): Promise<void> {
  await assert.rejects(loadModel(path), (error: unknown) => {
    assert.ok(isEdgePruneError(error), `an EdgePruneError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(`${error.message} ${error.hint}`, pattern);
    return true;
  });
}

describe('malformed and unsupported ONNX files', () => {
  it('a truncated protobuf is INVALID_MODEL', async () => {
    const bytes = await readFile(fixturePath('vgg-opset11'));
    const path = join(work, 'truncated.onnx');
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assertFails(path, 'INVALID_MODEL', /ONNX|truncated/);
  });

  it('a missing initializer is MISSING_WEIGHTS naming the tensor', async () => {
    const path = await mutate('missing', fixturePath('vgg-opset11'), (m) => {
      m.graph!.initializer!.shift();
    });
    await assertFails(path, 'MISSING_WEIGHTS', /initializer/);
  });

  it('an initializer whose bytes do not match its dims is WEIGHTS_MISMATCH', async () => {
    const path = await mutate('short', fixturePath('resnet-opset13'), (m) => {
      const t = m.graph!.initializer![0]!;
      t.rawData = t.rawData!.subarray(0, t.rawData!.length - 4);
    });
    await assertFails(path, 'WEIGHTS_MISMATCH', /bytes/);
  });

  it('a Conv weight reading the wrong number of channels is WEIGHTS_MISMATCH', async () => {
    await assertFails(await oneConv('channels', 1, [6, 3, 3, 3]), 'WEIGHTS_MISMATCH', /input channels/);
  });

  it('external data pointing outside the model folder is PATH_ESCAPE', async () => {
    const dir = join(work, 'escape');
    await mkdir(dir, { recursive: true });
    await copyFile(join(ONNX_FIXTURE_DIR, 'external-data/weights.bin'), join(work, 'weights.bin'));
    const source = await mutate('escape-src', fixturePath('external-data'), (m) => {
      for (const t of m.graph!.initializer!) for (const e of t.externalData ?? []) if (e.key === 'location') e.value = '../weights.bin';
    });
    await copyFile(source, join(dir, 'model.onnx'));
    await assertFails(join(dir, 'model.onnx'), 'PATH_ESCAPE', /outside|leaves/);
  });

  it('an unknown operator is UNSUPPORTED_OP naming the node, its op type and the opset, and listing what is supported', async () => {
    const path = await mutate('unknown', fixturePath('resnet-opset13'), (m) => {
      const relu = m.graph!.node!.find((n) => n.opType === 'Relu')!;
      relu.opType = 'NonMaxSuppression';
    });
    await assertFails(path, 'UNSUPPORTED_OP', /node ".*Relu.*" \(NonMaxSuppression, opset 13\).*Conv.*HardSwish/);
  });

  it('a grouped (not depthwise) Conv is UNSUPPORTED_OP', async () => {
    await assertFails(await oneConv('grouped', 2, [4, 2, 3, 3]), 'UNSUPPORTED_OP', /group 2/);
  });

  it('an input with a symbolic height is UNSUPPORTED_OP', async () => {
    await assertFails(await oneConv('dynamic-hw', 1, [4, 4, 3, 3], ['batch', 4, 'height', 8]), 'UNSUPPORTED_OP', /fixed sizes/);
  });

  it('a file of no known format is INVALID_MODEL naming the formats edge-prune reads', async () => {
    const path = join(work, 'noise.bin');
    await writeFile(path, Buffer.from([0xff, 0x00, 0x13, 0x37, 0x42]));
    await assertFails(path, 'INVALID_MODEL', /none of these formats/);
  });

  it('edge-prune import exits 4 on an unsupported operator and writes nothing', async () => {
    const path = await mutate('unknown-cli', fixturePath('vgg-opset11'), (m) => {
      m.graph!.node!.find((n) => n.opType === 'Relu')!.opType = 'Resize';
    });
    const out = join(work, 'never-written');
    const r = spawnSync(process.execPath, ['bin/edge-prune.js', 'import', path, '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /UNSUPPORTED_OP/);
    assert.ok(!existsSync(out), 'no output folder');
  });
});
