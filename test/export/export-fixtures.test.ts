// Every fixture exported in every format, each loaded back in its runtime and parity-checked; ONNX graphs against golden text.
import { test } from 'node:test';
import { SMALL_FIXTURES } from '../fixtures/fixture-sets.ts';
import { assertExportParity, checkFixtureExport } from './export-check.ts';

// VGG-16: test/fixtures/vgg16.test.ts.
for (const name of SMALL_FIXTURES) {
  test(`${name}: tfjs, tfjs-graph and onnx exports load in their runtimes and match the source`, async () => assertExportParity(name, await checkFixtureExport(name)));
}
