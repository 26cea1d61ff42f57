// The main command on an int8 target (pixel7-onnx) writes the int8 QDQ ONNX beside the float32 one and reports both.
// tier: full (spawns the CLI; runs the whole flow on the VGG sample)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOnnxSession } from '../../src/runtime/onnx-session.ts';
import { decodeModel } from '../../src/export/onnx-tensors.ts';
import { makeSampleDataFolder } from '../helpers/sample-data.ts';
import { readExportedBundle } from '../../src/verify/export-folder.ts';
import { loadTarget } from '../../src/targets/load-targets.ts';
import { isEdgePruneError } from '../../src/core/errors.ts';

/** Run the main command with --json; the exit code and the report. */
function runMain(args: string[]): { status: number | null; report: Record<string, any>; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/edge-prune.js', ...args, '--json'], { encoding: 'utf8', timeout: 600_000 });
  assert.ok(r.status === 0 || r.status === 11, `exit ${r.status}: ${r.stderr.slice(-2000)}`);
  return { status: r.status, report: JSON.parse(r.stdout) as Record<string, any>, stderr: r.stderr };
}

test('pixel7-onnx with labelled images: onnx + int8 onnx written, int8 loads in onnxruntime, the report holds both top-1s and their agreement', async (t) => {
  const tmp = await mkdtemp(join(tmpdir(), 'ep-int8-run-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const data = await makeSampleDataFolder(join(tmp, 'data'), { train: 5, test: 5 });
  const out = join(tmp, 'run');
  // A budget the sample already meets: no pruning, no fine-tuning; the export and verify stages are what is tested.
  const { report } = runMain(['samples/vgg/model.json', '--target', 'pixel7-onnx', '--latency-ms', '20', '--data', data, '--epochs', '0', '--reconstruct', 'off', '--method', 'local', '--out', out]);

  const floatPath = join(out, 'export', 'onnx', 'model.onnx');
  const int8Path = join(out, 'export', 'onnx-int8', 'model.onnx');
  assert.ok(existsSync(floatPath) && existsSync(int8Path), 'both ONNX models are written');
  const int8Model = decodeModel(await readFile(int8Path));
  const ops = new Set((int8Model.graph?.node ?? []).map((n) => n.opType));
  assert.ok(ops.has('QuantizeLinear') && ops.has('DequantizeLinear'), 'the int8 model is in QDQ form');
  const session = await createOnnxSession(int8Path);
  try {
    const ran = await session.run({ [session.inputNames[0] as string]: { data: new Float32Array(3 * 32 * 32).fill(0.1), dims: [1, 3, 32, 32] } });
    const probabilities = ran[session.outputNames[0] as string]?.data ?? new Float32Array(0);
    assert.equal(probabilities.length, 10);
    assert.ok(probabilities.every(Number.isFinite));
  } finally {
    await session.release();
  }

  const q = report['quantized'];
  assert.equal(typeof q.float32Top1, 'number', 'top-1 of the float32 export');
  assert.equal(q.n, 50);
  assert.match(q.calibration, /train split/);
  const int8 = q.exports[0];
  assert.equal(int8.encoding, 'int8');
  assert.equal(int8.written, true);
  assert.equal(int8.entry, 'onnx-int8/model.onnx');
  assert.equal(typeof int8.top1, 'number', 'top-1 of the int8 export');
  assert.ok(int8.agreement >= int8.floor, `agreement ${int8.agreement} ≥ floor ${int8.floor}`);
  assert.equal(int8.measured.method, 'local', 'the int8 model is measured beside the float32 one');
  assert.match(report['latency'].measured[0].model, /^onnx\/model\.onnx/, 'the latency verdict is about the float32 model');
  const written = report['size'].written as { what: string; bytes: number; encoding: string }[];
  const onnxBytes = written.find((w) => w.what === 'onnx')?.bytes ?? 0;
  const int8Bytes = written.find((w) => w.what === 'onnx-int8')?.bytes ?? Infinity;
  assert.equal(written.find((w) => w.what === 'onnx-int8')?.encoding, 'int8');
  assert.ok(int8Bytes < 0.6 * onnxBytes, `int8 ${int8Bytes} B vs onnx ${onnxBytes} B on disk`);
  // `verify --entry` picks the int8 bundle out of the export folder; by default the float one.
  const target = loadTarget('pixel7-onnx').target;
  assert.equal((await readExportedBundle(join(out, 'export'), target)).entry, 'onnx/model.onnx');
  assert.equal((await readExportedBundle(join(out, 'export'), target, { entry: 'onnx-int8/model.onnx' })).bytes, int8Bytes);
  await assert.rejects(readExportedBundle(join(out, 'export'), target, { entry: 'tfjs/model.json' }), (e: unknown) => isEdgePruneError(e) && e.code === 'INVALID_ARGUMENT');
  t.diagnostic(`top-1 float32 ${q.float32Top1}, int8 ${int8.top1}, agreement ${int8.agreement}; bytes onnx ${onnxBytes}, int8 ${int8Bytes}; measured float32 ${report['latency'].measured[0].medianMs} ms, int8 ${int8.measured.medianMs} ms`);
});
