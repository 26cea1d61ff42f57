import { readBundle } from '../src/bundle/read-bundle.ts';
import { exportBundle } from '../src/export/export-bundle.ts';
import { importGraphModel } from '../src/import/graph-model/import-graph-model.ts';
import { predictOutputs } from '../src/runtime/layers-model.ts';
import { predictGraphModelFromDisk } from '../src/runtime/graph-model.ts';
import { ensureFixture, fixtureInputShape, FIXTURE_NAMES } from '../test/fixtures/build-fixtures.ts';
import { randomInput } from '../test/fixtures/random.ts';
import { rm, readdir } from 'node:fs/promises';
for (const name of process.argv.slice(2).length ? process.argv.slice(2) : FIXTURE_NAMES) {
  for (const foldBn of [true]) {
  const bundle = await readBundle(await ensureFixture(name as any));
  const out = `/tmp/gk/exp-${name}-${foldBn}`;
  await rm(out, { recursive: true, force: true });
  await exportBundle(bundle, { formats: ['tfjs-graph'], outDir: out, foldBn });
  const files = await readdir(out, { recursive: true });
  const mj = files.find((f) => f.endsWith('model.json') && f.includes('graph'))!;
  const path = `${out}/${mj}`;
  try {
    const imported = await importGraphModel(path);
    const shape = [2, ...fixtureInputShape(name as any)];
    const x = randomInput(shape, 7);
    const ref = await predictGraphModelFromDisk(path, x, shape);
    const got = await predictOutputs(imported, x, shape);
    let max = 0, refMax = 0;
    ref.forEach((r, k) => r.forEach((v, i) => { max = Math.max(max, Math.abs(v - got[k]![i]!)); refMax = Math.max(refMax, Math.abs(v)); }));
    const classes = ((imported.topology as any).config.layers as any[]).map((l) => l.class_name);
    console.log(name, foldBn, 'maxdiff', max.toExponential(2), 'refmax', refMax.toFixed(3), 'layers', classes.length, JSON.stringify(imported.meta.importedFrom));
  } catch (e) { console.log(name, foldBn, 'ERR', (e as Error).message); }
  }
}
