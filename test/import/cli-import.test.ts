// `edge-prune import` and ONNX files on the other commands: the format is detected by content, not by the file name.
// tier: full (spawns the CLI)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeModel } from '../../src/export/onnx-tensors.ts';
import { detectModelFormat, loadModel } from '../../src/import/load-model.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { fixturePath } from './helpers.ts';

const work = await mkdtemp(join(tmpdir(), 'edge-prune-onnx-cli-'));
after(() => rm(work, { recursive: true, force: true }));

/** Run the CLI and capture its output. */
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/edge-prune.js', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('edge-prune import and ONNX model arguments', () => {
  it('import --json writes a Layers bundle that reads back, with the fidelity figures and the source names', async () => {
    const out = join(work, 'imported');
    const r = cli('import', fixturePath('mobilenetv3-opset17'), '--out', out, '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.format, 'onnx');
    assert.ok(json.prunableGroups > 0);
    assert.ok(json.fidelity.maxAbsDiff <= json.fidelity.tolerance, JSON.stringify(json.fidelity));
    const bundle = await readBundle(join(out, 'model.json'));
    const source = (bundle.meta['userDefinedMetadata'] as { edgePrune: { source: { inputs: { name: string }[]; outputs: { name: string }[]; opset: number } } }).edgePrune.source;
    assert.deepEqual([source.inputs[0]!.name, source.outputs[0]!.name, source.opset], ['input', 'logits', 17]);
    const imported = await loadModel(fixturePath('mobilenetv3-opset17'));
    assert.deepEqual(bundle.topology, imported.topology, 'the written topology is the imported one');
  });

  it('prune takes the .onnx file directly, and export of the pruned bundle keeps the ONNX names and NCHW layout', async () => {
    const pruned = join(work, 'pruned');
    const r = cli('prune', fixturePath('resnet-opset13'), '--ratio', '0.3', '--out', pruned, '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.ok(json.params.after < json.params.before);
    const exported = join(work, 'exported');
    const e = cli('export', join(pruned, 'model.json'), '--format', 'onnx,tfjs-graph', '--out', exported);
    assert.equal(e.code, 0, e.stderr);
    const model = decodeModel(new Uint8Array(await readFile(join(exported, 'onnx/model.onnx'))));
    assert.deepEqual(model.graph?.input?.map((i) => i.name), ['input']);
    assert.deepEqual(model.graph?.output?.map((o) => o.name), ['logits']);
    assert.equal(Number(model.graph?.input?.[0]?.type?.tensorType?.shape?.dim?.[1]?.dimValue), 3, 'channels first');
    assert.ok(existsSync(join(exported, 'tfjs-graph/model.json')));
  });

  it('detects the format by content: an ONNX file named model.json, a model.json named .onnx', async () => {
    const onnxAsJson = join(work, 'disguised.json');
    await copyFile(fixturePath('vgg-opset11'), onnxAsJson);
    assert.equal(await detectModelFormat(onnxAsJson), 'onnx');
    const layers = join(work, 'imported/model.json');
    assert.equal(await detectModelFormat(layers), 'layers-json');
    const r = cli('analyze', onnxAsJson, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).groups.some((g: { locked: boolean }) => !g.locked));
  });
});
