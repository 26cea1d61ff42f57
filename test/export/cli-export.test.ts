// `edge-prune export` end to end: JSON result, human summary, exit codes for bad options and refused folders.
// tier: full (spawns the CLI)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_CODES } from '../../src/cli/output.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';
import { tempFolder } from './helpers.ts';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/edge-prune.js');

/** Run the CLI; returns exit code and output. */
function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('edge-prune export writes every format and prints the manifest facts as JSON', async () => {
  const model = await ensureFixture('flatten-dense');
  const { dir, cleanup } = await tempFolder('cli');
  try {
    const out = join(dir, 'dist');
    const r = run(['export', model, '--format', 'tfjs,tfjs-graph,onnx', '--quantize', 'float16', '--fold-bn', '--layout', 'nhwc', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { quantization: string; formats: { format: string; entry: string; layout?: string; parity: { passed: boolean } }[] };
    assert.equal(result.quantization, 'float16');
    assert.deepEqual(result.formats.map((f) => f.format), ['tfjs', 'tfjs-graph', 'onnx']);
    assert.ok(result.formats.every((f) => f.parity.passed && existsSync(join(out, f.entry))));
    assert.equal(result.formats[2]?.layout, 'nhwc');
    assert.ok(existsSync(join(out, 'manifest.json')));

    const human = run(['export', model, '--format', 'onnx', '--out', out]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /onnx\s+onnx\/model\.onnx/);
    assert.match(human.stdout, /parity on onnxruntime-node: max \|diff\|/);
  } finally {
    await cleanup();
  }
});

test('edge-prune export exit codes: bad format, bad quantization, a folder it will not replace', async () => {
  const model = await ensureFixture('chain');
  const { dir, cleanup } = await tempFolder('cli-errors');
  try {
    const badFormat = run(['export', model, '--format', 'tflite', '--out', join(dir, 'a')]);
    assert.equal(badFormat.code, EXIT_CODES.INVALID_ARGUMENT);
    assert.match(badFormat.stderr, /error INVALID_ARGUMENT/);
    const badQuant = run(['export', model, '--quantize', 'int4', '--out', join(dir, 'a'), '--json']);
    assert.equal(badQuant.code, EXIT_CODES.INVALID_ARGUMENT);
    assert.equal((JSON.parse(badQuant.stdout) as { error: { code: string } }).error.code, 'INVALID_ARGUMENT');
    const foreign = join(dir, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'keep.txt'), 'x');
    const refused = run(['export', model, '--format', 'onnx', '--out', foreign]);
    assert.equal(refused.code, EXIT_CODES.IO_ERROR);
    assert.match(refused.stderr, /hint: /);
    assert.ok(!existsSync(join(dir, 'a')));
  } finally {
    await cleanup();
  }
});
