// The lint config is not vacuous: an upward import, an engine outside runtime, and printing outside cli each fail; allowed edges pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import { PACKAGE_ROOT } from '../../src/targets/load-targets.ts';

const eslint = new ESLint({ cwd: PACKAGE_ROOT });

/** Rule ids reported for `code` linted as if it were the (existing) file `path`, minus the ones in `ignore`. */
async function ruleIds(path: string, code: string, ignore: readonly string[] = ['import-x/no-cycle', '@typescript-eslint/no-unused-vars']): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${PACKAGE_ROOT}/${path}` });
  assert.ok(result, 'a lint result');
  const fatal = result.messages.find((m) => m.fatal);
  assert.equal(fatal, undefined, fatal?.message);
  return result.messages.map((m) => m.ruleId ?? '').filter((id) => !ignore.includes(id));
}

test('upward and sideways imports between rooms fail; the allow-list passes', async () => {
  // core is the bottom room: it imports nobody.
  assert.deepEqual(await ruleIds('src/core/random.ts', "export { runPipeline } from '../pipeline.ts';\n"), ['boundaries/dependencies']);
  // runtime → verify (a type, the violation RawTiming once was) and data → runtime (a dynamic import) are upward.
  assert.deepEqual(await ruleIds('src/runtime/timer-onnx.ts', "import type { Measurement } from '../verify/types.ts';\nexport type M = Measurement;\n"), ['boundaries/dependencies']);
  assert.deepEqual(await ruleIds('src/data/run-data.ts', "export const load = async (): Promise<unknown> => import('../runtime/train-eval.ts');\n"), ['boundaries/dependencies']);
  // latency/calibration sits above latency: latency may not import it; calibration may import prune, not search.
  assert.deepEqual(await ruleIds('src/latency/memory.ts', "export { calibrationProbes } from './calibration/calibration-probes.ts';\n"), ['boundaries/dependencies']);
  assert.deepEqual(await ruleIds('src/latency/calibration/nnls.ts', "export { dropCount } from '../../prune/drop-count.ts';\n"), []);
  assert.deepEqual(await ruleIds('src/latency/calibration/nnls.ts', "export { planFromRatios } from '../../search/ratio-plan.ts';\n"), ['boundaries/dependencies']);
  // Allowed: a stage imports a service and the stages its entry lists.
  assert.deepEqual(await ruleIds('src/search/history.ts', "export { applyPlan } from '../prune/apply-plan.ts';\nexport { buildGraph } from '../analyze/graph.ts';\n"), []);
  // Nobody imports cli.
  assert.deepEqual(await ruleIds('src/pipeline.ts', "export { EXIT_CODES } from './cli/output.ts';\n"), ['boundaries/dependencies']);
});

test('only runtime imports tfjs or onnxruntime, statically or dynamically', async () => {
  assert.deepEqual(await ruleIds('src/export/kernels.ts', "import * as tf from '@tensorflow/tfjs';\nexport const t = tf;\n"), ['@typescript-eslint/no-restricted-imports']);
  assert.deepEqual(await ruleIds('src/verify/local.ts', "export const ort = async (): Promise<unknown> => import('onnxruntime-node');\n"), ['no-restricted-syntax']);
  assert.deepEqual(await ruleIds('src/runtime/backend.ts', "import * as tf from '@tensorflow/tfjs';\nexport const t = tf;\n"), []);
});

test('only cli prints or ends the process', async () => {
  assert.deepEqual(await ruleIds('src/score/fscl.ts', "console.log('x');\n"), ['no-console']);
  assert.deepEqual(await ruleIds('src/search/history.ts', 'process.exitCode = 1;\nprocess.exit(1);\n'), ['no-restricted-properties', 'no-restricted-properties']);
  assert.deepEqual(await ruleIds('src/cli/output.ts', "console.log('x');\nprocess.exit(1);\n"), []);
});
