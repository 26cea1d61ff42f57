// The published package: `npm pack`, install the tarball offline into an empty project, and use the library, its types and its CLI from there.
// tier: full (packs and installs the package, spawns the installed CLI)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeModel, describeGroups } from '../../src/analyze/analyze-model.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { cleanEnv, packProject, run, writeConsumer } from './consumer.ts';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSC = join(PROJECT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The consumer's ESM script: the library's figures for its own bundled sample, and a decode in worker processes. */
const CONSUMER_MJS = `
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeModel, describeGroups, readBundle, runPipeline, listTargets, EdgePruneError } from 'edge-prune';
const root = join(process.cwd(), 'node_modules', 'edge-prune');
const analysis = analyzeModel(await readBundle(join(root, 'samples', 'vgg', 'model.json')));
let missing = null;
try { await readBundle(join(root, 'no-such-model', 'model.json')); } catch (e) { missing = e instanceof EdgePruneError ? e.code : String(e); }
// Not a package export: the decode pool forks its worker from dist/ (no TypeScript loader is installed here).
const { decodeInProcesses } = await import(join(root, 'dist', 'data', 'decode-pool.js'));
const folder = join(root, 'samples', 'data', 'test', 'cat');
const files = readdirSync(folder).sort().slice(0, 6).map((f) => join(folder, f));
const decoded = await decodeInProcesses(files, { height: 32, width: 32, channels: 3, resize: false }, 2, () => {});
console.log(JSON.stringify({
  macs: analysis.cost.macs, groups: analysis.groups.length, text: describeGroups(analysis),
  runPipeline: typeof runPipeline, targets: listTargets().map((t) => t.target.name), missing,
  decodedBytes: decoded.images.length, decodedSum: decoded.images.reduce((s, v) => s + v, 0),
}));
`;

/** The consumer's TypeScript: the package's types, checked by tsc (the expect-error fails if the types were \`any\`). */
const CONSUMER_TS = `
import { analyzeModel, readBundle, type ChannelGroup, type ModelBundle, type PipelineOptions } from 'edge-prune';
const bundle: ModelBundle = await readBundle('node_modules/edge-prune/samples/vgg/model.json');
const groups: ChannelGroup[] = analyzeModel(bundle).groups;
export const count: number = groups.length;
export type Options = PipelineOptions;
// @ts-expect-error analyzeModel takes a bundle, not a path
analyzeModel('model.json');
`;

/** A module-resolution hook that logs every package the process imports, to check what \`--help\` loads. */
const HOOKS = `export async function resolve(spec, ctx, next) { const r = await next(spec, ctx); if (r.url.includes('/node_modules/')) process.stderr.write('loaded ' + r.url + '\\n'); return r; }`;
const REGISTER = `import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);`;

test('the packed tarball installs offline and its library, types and CLI work without TypeScript tooling', { timeout: 600_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), 'edge-prune-pack-'));
  try {
    const { tarball, files } = packProject(PROJECT, work);
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/data/decode-worker.js', 'dist/verify/page/bench.js', 'dist/verify/page/index.html', 'bin/edge-prune.js', 'samples/vgg/model.json', 'targets/pixel7.json', 'profiles/pixel7.json', 'scripts/setup-tfjs-node.mjs', 'README.md']) {
      assert.ok(files.includes(f), `${f} is in the package`);
    }
    assert.deepEqual(files.filter((f) => /^(src|test|bench)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts')), [], 'no sources, tests or benchmarks ship');

    const app = join(work, 'app');
    await mkdir(app);
    writeConsumer(app, tarball, join(PROJECT, 'package-lock.json'));
    run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
    assert.deepEqual((await readdir(join(app, 'node_modules', 'edge-prune'))).filter((f) => f === 'src' || f === 'test'), []);
    await assert.rejects(readdir(join(app, 'node_modules', 'tsx')), 'tsx is a devDependency: not installed for a consumer');

    // The library from plain ESM gives the same figures as the source does for the same sample.
    await writeFile(join(app, 'consumer.mjs'), CONSUMER_MJS);
    const got = JSON.parse(run(process.execPath, ['consumer.mjs'], app).stdout.trim().split('\n').pop() as string);
    const expected = analyzeModel(await readBundle(join(PROJECT, 'samples', 'vgg', 'model.json')));
    assert.equal(got.macs, expected.cost.macs);
    assert.equal(got.groups, expected.groups.length);
    assert.equal(got.text, describeGroups(expected));
    assert.equal(got.runPipeline, 'function');
    assert.ok(got.targets.includes('pixel7') && got.targets.includes('host'), got.targets.join(','));
    assert.equal(got.missing, 'IO_ERROR');
    assert.equal(got.decodedBytes, 6 * 32 * 32 * 3);
    assert.ok(got.decodedSum > 0);

    // The types, from a strict NodeNext consumer (skipLibCheck: tfjs's own .d.ts files do not pass strict checks).
    await writeFile(join(app, 'consumer.ts'), CONSUMER_TS);
    const tsconfig = { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(PROJECT, 'node_modules', '@types')] }, files: ['consumer.ts'] };
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
    run(process.execPath, [TSC, '-p', 'tsconfig.json'], app);

    // The installed CLI: --help lists every command and loads no tfjs, onnxruntime, sharp or zod.
    await writeFile(join(app, 'hooks.mjs'), HOOKS);
    await writeFile(join(app, 'register.mjs'), REGISTER);
    const help = run(process.execPath, ['--import', './register.mjs', join(app, 'node_modules', '.bin', 'edge-prune'), '--help'], app, cleanEnv());
    for (const [name] of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'), `--help lists ${name}`);
    const heavy = help.stderr.split('\n').filter((l) => /node_modules\/(@tensorflow|onnxruntime|sharp|zod|playwright)/.test(l));
    assert.deepEqual(heavy, [], '--help loads none of the heavy packages');
    assert.match(help.stderr, /node_modules\/commander\//, 'the hook saw the CLI load commander (it does observe imports)');
    const analyze = run(join(app, 'node_modules', '.bin', 'edge-prune'), ['analyze', 'node_modules/edge-prune/samples/vgg/model.json', '--json'], app);
    assert.equal(JSON.parse(analyze.stdout).macs, expected.cost.macs);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
