// Corpus cases that attack the weights: manifest fields, weight paths (escapes, links, special files) and shard bytes.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorCode } from '../../src/core/errors.ts';
import { serializeBundle } from '../../src/bundle/write-bundle.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { bytes, json, type CorpusCase, type Expectation, type FileSpec } from './case-types.ts';
import { editModel, firstShard, specsOf, weightOffset, type BaseFixture, type Json } from './corpus-base.ts';

/** A case on a base with extra or replaced files. */
function weightCase(kind: 'manifest' | 'path' | 'shard', base: BaseFixture, what: string, files: Record<string, FileSpec>, expect: Expectation = 'error', codes?: ErrorCode[]): CorpusCase {
  return { id: `${kind}/${base.name}/${what}`, kind, base: base.name, files, run: {}, expect, ...(codes ? { codes } : {}) };
}

/** Bytes of all specs of a manifest group. */
const specBytes = (spec: Json): number => 4 * (spec.shape as number[]).reduce((a: number, b: number) => a * b, 1);

/** Hostile weightsManifest contents (types, shapes, dtypes, names, quantization). */
export function manifestCases(bases: Map<string, BaseFixture>): CorpusCase[] {
  const chain = bases.get('chain') as BaseFixture;
  const dense = bases.get('flatten-dense') as BaseFixture;
  const c = (b: BaseFixture, what: string, edit: (j: Json) => void, expect: Expectation = 'error', codes?: ErrorCode[]): CorpusCase =>
    weightCase('manifest', b, what, { 'model.json': editModel(b, edit) }, expect, codes);
  const g = (j: Json): Json => j.weightsManifest[0];
  const kernel = (j: Json): Json => specsOf(j).find((s: Json) => s.shape.length === 4);
  const cases: CorpusCase[] = [
    c(chain, 'weightsManifest missing', (j) => { delete j.weightsManifest; }, 'error', ['MISSING_WEIGHTS']),
    c(chain, 'weightsManifest null', (j) => { j.weightsManifest = null; }),
    c(chain, 'weightsManifest an object', (j) => { j.weightsManifest = g(j); }),
    c(chain, 'weightsManifest a string', (j) => { j.weightsManifest = 'group1-shard1of1.bin'; }),
    c(chain, 'group null', (j) => { j.weightsManifest = [null]; }),
    c(chain, 'group empty object', (j) => { j.weightsManifest = [{}]; }),
    c(chain, 'paths missing', (j) => { delete g(j).paths; }),
    c(chain, 'paths empty', (j) => { g(j).paths = []; }),
    c(chain, 'paths with an empty name', (j) => { g(j).paths = ['']; }),
    c(chain, 'paths with a number', (j) => { g(j).paths = [5]; }),
    c(chain, 'paths a string', (j) => { g(j).paths = 'group1-shard1of1.bin'; }),
    c(chain, 'same shard listed twice', (j) => { g(j).paths.push(g(j).paths[0]); }, 'error', ['WEIGHTS_MISMATCH']),
    c(chain, 'weights missing', (j) => { delete g(j).weights; }),
    c(chain, 'weights an object', (j) => { g(j).weights = { a: kernel(j) }; }),
    c(chain, 'weight spec null', (j) => { specsOf(j)[0] = null; }),
    c(chain, 'weight name missing', (j) => { delete specsOf(j)[0].name; }),
    c(chain, 'weight name empty', (j) => { specsOf(j)[0].name = ''; }),
    c(chain, 'weight name a number', (j) => { specsOf(j)[0].name = 1; }),
    c(chain, 'duplicate weight names', (j) => { specsOf(j)[1].name = specsOf(j)[0].name; }),
    c(chain, 'weight renamed (layer loses its kernel)', (j) => { specsOf(j)[0].name = 'conv1/kernal'; }, 'error', ['MISSING_WEIGHTS']),
    c(chain, 'shape missing', (j) => { delete kernel(j).shape; }),
    c(chain, 'shape negative', (j) => { kernel(j).shape[0] = -3; }),
    c(chain, 'shape fractional', (j) => { kernel(j).shape[0] = 1.5; }),
    c(chain, 'shape strings', (j) => { kernel(j).shape = kernel(j).shape.map(String); }),
    c(chain, 'shape 2^40 elements', (j) => { kernel(j).shape = [2 ** 20, 2 ** 20, 1, 1]; }),
    c(chain, 'shape 2^28 elements (at the limit, no such shard)', (j) => { kernel(j).shape = [2 ** 14, 2 ** 14, 1, 1]; }, 'error', ['WEIGHTS_MISMATCH', 'INVALID_MODEL']),
    c(chain, 'shape 1e300', (j) => { kernel(j).shape = [1e300]; }),
    c(chain, 'shape transposed (same element count)', (j) => { const s = kernel(j).shape; kernel(j).shape = [s[1], s[0], s[3], s[2]]; }, 'error', ['WEIGHTS_MISMATCH']),
    c(chain, 'dtype float64', (j) => { specsOf(j)[0].dtype = 'float64'; }),
    c(chain, 'dtype string', (j) => { specsOf(j)[0].dtype = 'string'; }),
    c(chain, 'dtype missing', (j) => { delete specsOf(j)[0].dtype; }),
    c(chain, 'dtype int32 on a kernel', (j) => { specsOf(j)[0].dtype = 'int32'; }, 'any'),
    c(chain, 'quantization a string', (j) => { specsOf(j)[0].quantization = 'uint8'; }),
    c(chain, 'quantization dtype int4', (j) => { specsOf(j)[0].quantization = { dtype: 'int4', min: 0, scale: 1 }; }),
    c(chain, 'quantization uint8 without scale', (j) => { specsOf(j)[0].quantization = { dtype: 'uint8', min: 0 }; }),
    c(chain, 'quantization min a string', (j) => { specsOf(j)[0].quantization = { dtype: 'uint8', min: '0', scale: 1 }; }),
    c(dense, 'a layer weight left out of the manifest', (j) => { specsOf(j).splice(specsOf(j).findIndex((s: Json) => s.name === 'fc1/bias'), 1); }, 'error', ['WEIGHTS_MISMATCH']),
    c(dense, 'unused extra weight (no bytes for it)', (j) => { specsOf(j).push({ name: 'ghost/kernel', shape: [4], dtype: 'float32' }); }, 'error', ['WEIGHTS_MISMATCH']),
    c(dense, 'weights split over two groups', (j) => { const specs = specsOf(j); j.weightsManifest.push({ paths: [], weights: specs.splice(specs.length - 2) }); }, 'error'),
    c(dense, 'BN moving_variance renamed to __proto__', (j) => { specsOf(j).find((s: Json) => s.name.endsWith('moving_variance')).name = 'bn1/__proto__'; }, 'error', ['MISSING_WEIGHTS']),
  ];
  // The last weight left out, with the shard cut to match: loads, then the layer misses it.
  const lastSpec = specsOf(dense.model)[specsOf(dense.model).length - 1];
  const shard = dense.shards.get(firstShard(dense)) as Uint8Array;
  cases.push(weightCase('manifest', dense, 'last weight removed with its bytes', {
    'model.json': editModel(dense, (j) => { specsOf(j).pop(); }),
    [firstShard(dense)]: bytes(shard.subarray(0, shard.length - specBytes(lastSpec))),
  }, 'error', ['MISSING_WEIGHTS']));
  // An unused extra weight with its bytes: a valid model with one weight too many.
  cases.push(weightCase('manifest', dense, 'unused extra weight with its bytes', {
    'model.json': editModel(dense, (j) => { specsOf(j).push({ name: 'ghost/kernel', shape: [4], dtype: 'float32' }); }),
    [firstShard(dense)]: bytes(new Uint8Array([...shard, ...new Uint8Array(16)])),
  }, 'any'));
  return cases;
}

/** Quantized bundles whose dequantized values overflow or whose float16 bits are Inf/NaN. */
export async function quantizedCases(bases: Map<string, BaseFixture>): Promise<CorpusCase[]> {
  const chain = bases.get('chain') as BaseFixture;
  const bundle = await readBundle(join(chain.dir, 'model.json'));
  const cases: CorpusCase[] = [];
  for (const dtype of ['uint8', 'float16'] as const) {
    const { modelJson, shards } = serializeBundle(bundle, { weights: dtype });
    const files: Record<string, FileSpec> = { [firstShard(chain)]: { type: 'delete' } };
    for (const s of shards) files[s.name] = bytes(s.bytes);
    cases.push(weightCase('manifest', chain, `${dtype} quantized (valid)`, { ...files, 'model.json': json(modelJson) }, 'any'));
    if (dtype === 'uint8') {
      const huge = structuredClone(modelJson) as Json;
      specsOf(huge)[0].quantization.scale = 1e308;
      cases.push(weightCase('manifest', chain, 'uint8 scale 1e308 (dequantizes to Inf)', { ...files, 'model.json': json(huge) }, 'error', ['INVALID_MODEL']));
    } else {
      const inf = new Uint8Array((shards[0] as { bytes: Uint8Array }).bytes);
      new DataView(inf.buffer).setUint16(6, 0x7c00, true);
      cases.push(weightCase('manifest', chain, 'float16 Inf bits', { ...files, 'model.json': json(modelJson), [(shards[0] as { name: string }).name]: bytes(inf) }, 'error', ['INVALID_MODEL']));
      new DataView(inf.buffer).setUint16(6, 0x7e00, true);
      cases.push(weightCase('manifest', chain, 'float16 NaN bits', { ...files, 'model.json': json(modelJson), [(shards[0] as { name: string }).name]: bytes(new Uint8Array(inf)) }, 'error', ['INVALID_MODEL']));
    }
  }
  return cases;
}

/** Weight paths that leave the folder, name URLs or special files, or loop. */
export function pathCases(bases: Map<string, BaseFixture>): CorpusCase[] {
  const base = bases.get('flatten-dense') as BaseFixture;
  const shardName = firstShard(base);
  const withPath = (what: string, path: string, extra: Record<string, FileSpec> = {}, codes: ErrorCode[] = ['PATH_ESCAPE']): CorpusCase =>
    weightCase('path', base, what, { ...extra, 'model.json': editModel(base, (j) => { j.weightsManifest[0].paths = [path]; }) }, 'error', codes);
  const missing: ErrorCode[] = ['MISSING_WEIGHTS'];
  const cases = [
    withPath('../ escape', `../${shardName}`),
    withPath('deep ../ escape to /etc/passwd', '../../../../../../../../etc/passwd'),
    withPath('sub/../../ escape', `sub/../../${shardName}`),
    withPath('./../ escape', `./../${shardName}`),
    withPath('absolute /etc/passwd', '/etc/passwd'),
    withPath('absolute path of a real copy outside', '@OUTSIDE@/shard.bin'),
    withPath('file:// URL', 'file:///etc/passwd'),
    withPath('http URL', 'http://127.0.0.1:9/shard.bin'),
    withPath('https URL', 'https://example.com/group1-shard1of1.bin'),
    withPath('data: URL', 'data:application/octet-stream;base64,AAAA'),
    withPath('Windows drive path', 'C:\\Windows\\system32\\x.bin'),
    withPath('NUL byte in the path', `${shardName}\u0000.txt`),
    withPath('UNC-like path (a missing file on POSIX)', '\\\\server\\share\\x.bin', {}, missing),
    withPath('percent-encoded ../ (a missing file)', `%2e%2e/${shardName}`, {}, missing),
    withPath('a 5000-character name', 'a'.repeat(5000), {}, missing),
    withPath('missing shard', 'nope.bin', {}, missing),
    withPath('symlink to a file outside', 'link.bin', { 'link.bin': { type: 'symlink', target: '@OUTSIDE@/shard.bin' } }),
    withPath('path through a symlinked folder outside', 'sub/shard.bin', { sub: { type: 'symlink', target: '@OUTSIDE@' } }),
    withPath('symlink to the parent folder', 'up/outside/shard.bin', { up: { type: 'symlink', target: '..' } }),
    withPath('symlink loop', 'loop.bin', { 'loop.bin': { type: 'symlink', target: 'loop2.bin' }, 'loop2.bin': { type: 'symlink', target: 'loop.bin' } }, missing),
    withPath('dangling symlink', 'dangling.bin', { 'dangling.bin': { type: 'symlink', target: 'nowhere.bin' } }, missing),
    withPath('symlink to /dev/zero', 'zero.bin', { 'zero.bin': { type: 'symlink', target: '/dev/zero' } }),
    withPath('symlink to /proc/self/mem', 'mem.bin', { 'mem.bin': { type: 'symlink', target: '/proc/self/mem' } }),
    weightCase('path', base, 'symlink inside the folder (allowed)', {
      'inner.bin': { type: 'symlink', target: shardName },
      'model.json': editModel(base, (j) => { j.weightsManifest[0].paths = ['inner.bin']; }),
    }, 'any'),
    // Special files inside the folder: a FIFO whose size (0) fits the manifest would block a reader forever.
    weightCase('path', base, 'a FIFO as an extra shard', {
      fifo: { type: 'fifo' },
      'model.json': editModel(base, (j) => { j.weightsManifest[0].paths.push('fifo'); }),
    }, 'error', ['MISSING_WEIGHTS', 'INVALID_MODEL', 'WEIGHTS_MISMATCH', 'IO_ERROR']),
    weightCase('path', base, 'the model folder itself as a shard', {
      'model.json': editModel(base, (j) => { j.weightsManifest[0].paths = ['.']; }),
    }, 'error', ['MISSING_WEIGHTS', 'INVALID_MODEL', 'WEIGHTS_MISMATCH', 'IO_ERROR']),
  ];
  // A sub-folder as an extra shard, with the manifest padded so the folder's st_size matches exactly.
  cases.push({
    ...weightCase('path', base, 'a folder as a shard whose size matches the manifest', { sub: { type: 'dir' } }, 'error', ['MISSING_WEIGHTS', 'INVALID_MODEL', 'IO_ERROR']),
    prepare: async (dir) => {
      const size = (await stat(join(dir, 'sub'))).size;
      const model = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      model.weightsManifest[0].paths.push('sub');
      model.weightsManifest[0].weights.push({ name: 'pad/kernel', shape: [size / 4], dtype: 'float32' });
      await writeFile(join(dir, 'model.json'), JSON.stringify(model));
    },
  });
  return cases;
}

/** Shard bytes: truncated, oversized, empty, NaN/Inf values, random garbage, a 1 GiB sparse file. */
export function shardCases(bases: Map<string, BaseFixture>, random: () => number): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const name of ['chain', 'inception']) {
    const base = bases.get(name) as BaseFixture;
    const shardName = firstShard(base);
    const shard = base.shards.get(shardName) as Uint8Array;
    const s = (what: string, data: FileSpec, expect: Expectation = 'error', codes?: ErrorCode[]): CorpusCase =>
      weightCase('shard', base, what, { [shardName]: data }, expect, codes);
    const mismatch: ErrorCode[] = ['WEIGHTS_MISMATCH'];
    cases.push(
      s('empty', bytes(new Uint8Array(0)), 'error', mismatch),
      s('truncated to half', bytes(shard.subarray(0, shard.length >> 1)), 'error', mismatch),
      s('one byte short', bytes(shard.subarray(0, shard.length - 1)), 'error', mismatch),
      s('one byte over', bytes(new Uint8Array([...shard, 0])), 'error', mismatch),
      s('1 MiB over', bytes(new Uint8Array([...shard, ...new Uint8Array(1 << 20)])), 'error', mismatch),
      s('1 GiB sparse', { type: 'sparse', size: 1 << 30 }, 'error', mismatch),
      s('deleted', { type: 'delete' }, 'error', ['MISSING_WEIGHTS']),
      s('a directory', { type: 'dir' }, 'error', ['WEIGHTS_MISMATCH', 'MISSING_WEIGHTS', 'INVALID_MODEL', 'IO_ERROR']),
      s('random bytes of the right length', bytes(Uint8Array.from({ length: shard.length }, () => Math.floor(random() * 256))), 'any'),
      s('all 0xFF bytes (every float NaN)', bytes(new Uint8Array(shard.length).fill(0xff)), 'error', ['INVALID_MODEL']),
      s('all zeros', bytes(new Uint8Array(shard.length)), 'any'),
      s('denormal floats', bytes(new Uint8Array(shard.length).fill(0x01)), 'any'),
      s('float32 max everywhere', bytes(new Uint8Array(new Float32Array(shard.length / 4).fill(3.4028234e38).buffer)), 'any'),
    );
    // One bad value at a seeded position of every weight kind (first, a random one, last).
    const positions = [0, 4 * Math.floor(random() * (shard.length / 4)), shard.length - 4];
    for (const [label, value] of [['NaN', Number.NaN], ['+Inf', Infinity], ['-Inf', -Infinity]] as const) {
      for (const at of positions) {
        const copy = new Uint8Array(shard);
        new DataView(copy.buffer).setFloat32(at, value, true);
        cases.push(s(`${label} at byte ${at}`, bytes(copy), 'error', ['INVALID_MODEL']));
      }
    }
    // Sparse-file bombs: manifests whose shard sizes match, on a file that costs no disk, but would
    // decode to gigabytes. They must be refused before any allocation.
    const bomb = (what: string, specs: Json[], size: number): CorpusCase => weightCase('shard', base, what, {
      'bomb.bin': { type: 'sparse', size },
      'model.json': editModel(base, (j) => { j.weightsManifest.push({ paths: ['bomb.bin'], weights: specs }); }),
    }, 'error', ['INVALID_MODEL']);
    const q8 = { dtype: 'uint8', min: 0, scale: 1 };
    cases.push(
      bomb('sparse bomb: four 2^28 uint8 weights (1 GiB file, 4 GiB decoded)', [0, 1, 2, 3].map((i) => ({ name: `bomb/k${i}`, shape: [2 ** 28], dtype: 'float32', quantization: q8 })), 2 ** 30),
      bomb('sparse bomb: one more 2^28 float32 weight (1 GiB)', [{ name: 'bomb/k', shape: [2 ** 14, 2 ** 14], dtype: 'float32' }], 2 ** 30),
    );
    // A NaN in the BN moving variance only (a statistic, not a parameter): still rejected.
    const bnAt = weightOffset(base, specsOf(base.model).find((w: Json) => w.name.endsWith('moving_variance'))?.name ?? '');
    if (bnAt >= 0) {
      const copy = new Uint8Array(shard);
      new DataView(copy.buffer).setFloat32(bnAt, Number.NaN, true);
      cases.push(s('NaN in a moving variance', bytes(copy), 'error', ['INVALID_MODEL']));
    }
  }
  return cases;
}
