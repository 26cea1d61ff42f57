// Corpus cases that attack device profiles, deployment targets and training data folders.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorCode } from '../../src/core/errors.ts';
import { bytes, json, text, type CorpusCase, type Expectation, type FileSpec } from './case-types.ts';
import { nestedArrays, type Json } from './corpus-base.ts';

/** The package root (profiles/ and targets/ live there). */
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Leaf paths of a JSON value (object fields and array items), in document order. */
export function leafPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.length === 0 ? [prefix] : value.flatMap((v, i) => leafPaths(v, [...prefix, i]));
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? [prefix] : keys.flatMap((k) => leafPaths(value[k], [...prefix, k]));
  }
  return [prefix];
}

/** A value of a different JSON type than `value` (seeded choice). */
export function wrongTyped(value: unknown, random: () => number): unknown {
  const pool: unknown[] = [null, true, -1, 1e308, 'x', '', [], {}, [1, 2], { a: 1 }];
  const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const options = pool.filter((v) => typeOf(v) !== typeOf(value));
  return options[Math.floor(random() * options.length)];
}

/** Set the value at a path of a JSON copy. */
export function setAt(root: Json, path: (string | number)[], value: unknown): void {
  let at = root;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path[path.length - 1] as string | number] = value;
}

/** The first profile of the package and a target made for it (or the first real target). */
function configBases(): { profileName: string; profile: Json; target: Json } | undefined {
  const profiles = existsSync(join(ROOT, 'profiles')) ? readdirSync(join(ROOT, 'profiles')).filter((f) => f.endsWith('.json')).sort() : [];
  const first = profiles[0];
  if (!first) return undefined;
  const profile = JSON.parse(readFileSync(join(ROOT, 'profiles', first), 'utf8'));
  const targets = existsSync(join(ROOT, 'targets')) ? readdirSync(join(ROOT, 'targets')).filter((f) => f.endsWith('.json')).sort() : [];
  const real = targets.map((f) => JSON.parse(readFileSync(join(ROOT, 'targets', f), 'utf8'))).find((t) => t.profile === profile.name);
  const runtime = Object.keys(profile.runtimes)[0] as string;
  const model = profile.runtimes[runtime];
  const target = real ?? {
    name: 'hostile', description: 'corpus target', profile: profile.name, runtime,
    backend: { name: runtime.startsWith('tfjs-webgl') ? 'webgl' : 'wasm', threads: model.threads, simd: model.simd, environment: 'node' },
    exportFormats: [runtime.startsWith('tfjs') ? 'tfjs-layers' : 'onnx'], quantization: 'float32',
    budget: { latencyMs: 10, memoryMb: 100, modelSizeMb: 5 }, channelRounding: 8,
    measurement: { methods: ['local'], default: 'local', warmup: 1, runs: 5 },
  };
  return { profileName: profile.name, profile, target };
}

/** A config case: a private config root with profiles/ and targets/. */
function configCase(kind: 'target' | 'profile', what: string, files: Record<string, FileSpec>, file: string, expect: Expectation = 'error', codes: ErrorCode[] = ['INVALID_CONFIG', 'INVALID_JSON']): CorpusCase {
  return { id: `${kind}/${what}`, kind, base: 'none', files, run: { config: file }, expect, codes };
}

/** Hostile profiles and targets: garbage files and one wrong-typed or missing field at a time. */
export function configCases(random: () => number, perKind = 25): CorpusCase[] {
  const bases = configBases();
  if (!bases) return [];
  const { profileName, profile, target } = bases;
  const profilePath = `profiles/${profileName}.json`;
  const cases: CorpusCase[] = [];
  for (const kind of ['profile', 'target'] as const) {
    const file = kind === 'profile' ? profilePath : 'targets/hostile.json';
    const good = kind === 'profile' ? profile : target;
    const withFile = (f: FileSpec): Record<string, FileSpec> => (kind === 'profile' ? { [profilePath]: f } : { [profilePath]: json(profile), [file]: f });
    const c = (what: string, f: FileSpec, expect: Expectation = 'error', codes?: ErrorCode[]): CorpusCase => configCase(kind, what, withFile(f), file, expect, codes);
    cases.push(
      c('valid (control)', json(good), 'any'),
      c('invalid JSON', text('{"name": ')),
      c('empty file', text('')),
      c('null', text('null')),
      c('an array', json([good])),
      c('empty object', json({})),
      c('deeply nested name', text(`{"name": ${nestedArrays(20_000)}}`)),
      c('a 5 MB description string', json({ ...good, description: 'x'.repeat(5_000_000) }), 'any'),
      c('unknown extra field', json({ ...good, surprise: 1 })),
      c('__proto__ field', text(JSON.stringify(good).replace(/^\{/, '{"__proto__": {"name": "x"},'))),
      c('file is a directory', { type: 'dir' }, 'error', ['IO_ERROR', 'INVALID_ARGUMENT', 'INVALID_CONFIG']),
    );
    const leaves = leafPaths(good).filter((p) => p.length > 0);
    for (let k = 0; k < perKind && leaves.length > 0; k++) {
      const path = leaves[Math.floor(random() * leaves.length)] as (string | number)[];
      const copy = structuredClone(good);
      let cur: Json = copy;
      for (const key of path) cur = cur[key];
      const value = wrongTyped(cur, random);
      setAt(copy, path, value);
      cases.push(c(`${path.join('.')} = ${JSON.stringify(value)} (#${k})`, json(copy)));
    }
  }
  // A target whose profile does not exist, or names a runtime its profile does not model.
  cases.push(configCase('target', 'profile missing', { [profilePath]: json(profile), 'targets/hostile.json': json({ ...target, profile: 'no-such-device' }) }, 'targets/hostile.json'));
  cases.push(configCase('target', 'profile named by a path escape', { [profilePath]: json(profile), 'targets/hostile.json': json({ ...target, profile: '../../etc/passwd' }) }, 'targets/hostile.json'));
  cases.push(configCase('target', 'runtime the profile lacks', { [profilePath]: json(profile), 'targets/hostile.json': json({ ...target, runtime: Object.keys(profile.runtimes).includes('onnxruntime-web') ? 'tfjs-webgl' : 'onnxruntime-web', exportFormats: ['onnx', 'tfjs-layers'] }) }, 'targets/hostile.json'));
  cases.push(configCase('target', 'profile file is invalid JSON', { [profilePath]: text('{'), 'targets/hostile.json': json(target) }, 'targets/hostile.json'));
  return cases;
}

/** Hostile training data folders (one sub-folder per class of images). */
export async function dataCases(random: () => number): Promise<CorpusCase[]> {
  const sharp = (await import('sharp')).default;
  const png = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toBuffer());
  const jpg = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 10, g: 200, b: 10 } } }).jpeg().toBuffer());
  // A PNG header that claims 100000×100000 pixels (a decompression bomb if decoded blindly).
  const bomb = new Uint8Array(png);
  new DataView(bomb.buffer).setUint32(16, 100_000);
  new DataView(bomb.buffer).setUint32(20, 100_000);
  const wide = new Uint8Array(await sharp({ create: { width: 16, height: 12, channels: 3, background: { r: 10, g: 10, b: 200 } } }).png().toBuffer());
  const grey = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 128, g: 128, b: 128 } } }).toColourspace('b-w').png().toBuffer());
  const good = (): Record<string, FileSpec> => ({ 'data/cat/a.png': bytes(png), 'data/cat/b.jpg': bytes(jpg), 'data/dog/a.png': bytes(png), 'data/dog/b.png': bytes(png) });
  const split = (): Record<string, FileSpec> => Object.fromEntries(Object.entries(good()).flatMap(([k, v]) => [[k.replace('data/', 'data/train/'), v], [k.replace('data/', 'data/test/'), v]]));
  const d = (what: string, files: Record<string, FileSpec>, expect: Expectation = 'error', command?: 'eval' | 'finetune' | 'load'): CorpusCase =>
    ({ id: `data/${what}`, kind: 'data', base: 'none', files, run: { data: 'data', ...(command ? { command } : {}) }, expect, codes: ['INVALID_DATA', 'IO_ERROR'] });
  return [
    d('valid (control)', good(), 'any'),
    d('valid, evaluated (control)', good(), 'ok', 'eval'),
    d('valid, fine-tuned (control)', good(), 'ok', 'finetune'),
    d('valid train/ and test/ folders (control)', split(), 'ok'),
    d('mixed sizes, resized to the model input', { ...good(), 'data/dog/c.png': bytes(wide) }, 'ok'),
    d('mixed sizes with no size to resize to (library loader)', { ...good(), 'data/dog/c.png': bytes(wide) }, 'error', 'load'),
    d('a greyscale image among RGB ones', { ...good(), 'data/cat/c.png': bytes(grey) }, 'any'),
    d('a single class', { 'data/cat/a.png': bytes(png), 'data/cat/b.jpg': bytes(jpg) }),
    d('a single class (evaluated)', { 'data/cat/a.png': bytes(png), 'data/cat/b.jpg': bytes(jpg) }, 'error', 'eval'),
    d('three classes for a two-class model', { ...good(), 'data/fish/a.png': bytes(png) }),
    d('class names differ from the model', { 'data/cat/a.png': bytes(png), 'data/cat/b.png': bytes(png), 'data/cow/a.png': bytes(png), 'data/cow/b.png': bytes(png) }),
    d('a class with only non-image files', { ...good(), 'data/dog/a.png': { type: 'delete' }, 'data/dog/b.png': { type: 'delete' }, 'data/dog/notes.txt': text('x'), 'data/dog/model.json': text('{}') }),
    d('non-image files beside the images', { ...good(), 'data/cat/notes.txt': text('x'), 'data/dog/labels.csv': text('a,b') }, 'ok'),
    d('only hidden class folders', { 'data/.cat/a.png': bytes(png), 'data/.dog/a.png': bytes(png) }),
    d('data path is a symlink to a folder outside', { data: { type: 'symlink', target: '@OUTSIDE@' } }),
    d('corrupt image in test/ only', { ...split(), 'data/test/cat/c.png': bytes(png.subarray(0, 20)) }),
    d('corrupt image in train/ only (fine-tuned)', { ...split(), 'data/train/dog/c.png': text('not a png') }, 'error', 'finetune'),
    d('test/ classes differ from train/', { ...split(), 'data/test/dog/a.png': { type: 'delete' }, 'data/test/dog/b.png': { type: 'delete' }, 'data/test/dog': { type: 'delete' }, 'data/test/cow/a.png': bytes(png) }),
    d('test/ is a file', { ...split(), 'data/test': text('not a folder') }, 'any'),
    d('image named .jpg holding a PNG', { ...good(), 'data/cat/c.jpg': bytes(png) }, 'any'),
    d('one image per class', { 'data/cat/a.png': bytes(png), 'data/dog/a.png': bytes(png) }, 'any', 'finetune'),
    d('folder missing', { 'other/x.txt': text('x') }),
    d('data is a file', { data: text('not a folder') }),
    d('empty folder', { data: { type: 'dir' } }),
    d('images but no class folders', { 'data/a.png': bytes(png) }),
    d('one empty class', { ...good(), 'data/bird': { type: 'dir' } }),
    d('every class empty', { 'data/cat': { type: 'dir' }, 'data/dog': { type: 'dir' } }),
    d('zero-byte image', { ...good(), 'data/cat/c.png': bytes(new Uint8Array(0)) }),
    d('truncated PNG', { ...good(), 'data/cat/c.png': bytes(png.subarray(0, png.length >> 1)) }),
    d('PNG with garbage after the header', { ...good(), 'data/cat/c.png': bytes(Uint8Array.from(png, (b, i) => (i < 33 ? b : Math.floor(random() * 256)))) }),
    d('text file named .png', { ...good(), 'data/cat/c.png': text('hello') }),
    d('JPEG cut in half', { ...good(), 'data/dog/c.jpg': bytes(jpg.subarray(0, jpg.length >> 1)) }),
    d('decompression bomb header', { ...good(), 'data/dog/c.png': bytes(bomb) }),
    d('image symlink outside the folder', { ...good(), 'data/dog/c.png': { type: 'symlink', target: '@OUTSIDE@/shard.bin' } }),
    d('class folder symlink outside', { ...good(), 'data/fish': { type: 'symlink', target: '@OUTSIDE@' } }),
    d('FIFO named .png', { ...good(), 'data/dog/c.png': { type: 'fifo' } }),
    d('image is a directory', { ...good(), 'data/dog/c.png': { type: 'dir' } }),
  ];
}
