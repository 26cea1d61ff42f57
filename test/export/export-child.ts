// Child process for the interrupted-export test: exports the resnet56 fixture into argv[2] (killed midway by the test).
import { exportBundle } from '../../src/export/export-bundle.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { ensureFixture } from '../fixtures/build-fixtures.ts';

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: export-child.ts <outDir>');
const bundle = await readBundle(await ensureFixture('resnet56'));
await exportBundle(bundle, { formats: ['tfjs', 'tfjs-graph', 'onnx'], outDir });
