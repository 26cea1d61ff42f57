// Profiles and targets: every shipped file validates; bad files fail with the file and the field named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EdgePruneError } from '../../src/core/errors.ts';
import { ProfileSchema, TargetSchema, parseConfig } from '../../src/core/schemas.ts';
import { PACKAGE_ROOT, listProfiles, listTargets, loadProfile, loadTarget } from '../../src/targets/load-targets.ts';

const REQUIRED_PROFILES = ['pixel7', 'pixel6', 'galaxy-s23', 'iphone-15', 'raspberry-pi-5', 'jetson-orin-nano', 'host'];
const REQUIRED_TARGETS = ['pixel7', 'pixel7-webgl', 'pixel7-onnx', 'iphone-15', 'raspberry-pi-5', 'host'];

/** A copy of the shipped profiles/ and targets/ in a temporary folder, for breaking on purpose. */
function copyConfig(): string {
  const root = mkdtempSync(join(tmpdir(), 'edge-prune-config-'));
  cpSync(join(PACKAGE_ROOT, 'profiles'), join(root, 'profiles'), { recursive: true });
  cpSync(join(PACKAGE_ROOT, 'targets'), join(root, 'targets'), { recursive: true });
  return root;
}

/** Edit one JSON file of the copy. */
function edit(root: string, file: string, change: (json: Record<string, any>) => void): void {
  const path = join(root, file);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  change(json);
  writeFileSync(path, JSON.stringify(json));
}

/** Assert an INVALID_CONFIG error naming the file and the field. */
function assertConfigError(run: () => unknown, file: string, field: string): EdgePruneError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof EdgePruneError, `expected EdgePruneError, got ${String(error)}`);
    assert.equal(error.code, 'INVALID_CONFIG');
    assert.ok(error.where.includes(file), `where "${error.where}" should name ${file}`);
    assert.ok(error.where.endsWith(`field ${field}`), `where "${error.where}" should name field ${field}`);
    return error;
  }
  assert.fail('expected an INVALID_CONFIG error');
}

test('every shipped profile and target validates, and the required ones exist', () => {
  const profiles = listProfiles().map((p) => p.name);
  for (const name of REQUIRED_PROFILES) assert.ok(profiles.includes(name), `profile ${name}`);
  const targets = listTargets();
  for (const name of REQUIRED_TARGETS) assert.ok(targets.some((t) => t.target.name === name), `target ${name}`);
  for (const { target, profile } of targets) {
    assert.equal(profile.name, target.profile);
    assert.ok(profile.runtimes[target.runtime], `${target.name}: profile models ${target.runtime}`);
  }
});

test('every profile figure says where it came from', () => {
  for (const profile of listProfiles()) {
    for (const [runtime, model] of Object.entries(profile.runtimes)) {
      const figures = [model!.inferenceOverheadMs, model!.layerOverheadMs, model!.cacheMb, model!.bandwidthGBs, ...Object.values(model!.throughputGops)];
      for (const f of figures) assert.ok(f.source.length > 10, `${profile.name} ${runtime}: a real source, got "${f.source}"`);
    }
    if (!profile.emulation.calibrated) assert.notEqual(profile.emulation.cpuThrottlingRate.basis, 'measured', profile.name);
  }
});

test('an unknown field names the file and the field path', () => {
  const root = copyConfig();
  try {
    edit(root, 'profiles/pixel7.json', (j) => (j['runtimes']['tfjs-wasm']['throughputGops']['conv']['vlaue'] = 3));
    const error = assertConfigError(() => loadProfile('pixel7', { root }), 'pixel7.json', 'runtimes.tfjs-wasm.throughputGops.conv.vlaue');
    assert.match(error.found, /unknown field "vlaue"/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a missing field names the file and the field path', () => {
  const root = copyConfig();
  try {
    edit(root, 'targets/pixel7.json', (j) => delete j['budget']['latencyMs']);
    const error = assertConfigError(() => loadTarget('pixel7', { root }), 'pixel7.json', 'budget.latencyMs');
    assert.match(error.found, /missing/);
    assert.match(error.expected, /number/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a wrong type names the file, the field and the value found', () => {
  const root = copyConfig();
  try {
    edit(root, 'targets/host.json', (j) => (j['channelRounding'] = 'eight'));
    const error = assertConfigError(() => loadTarget('host', { root }), 'host.json', 'channelRounding');
    assert.equal(error.found, '"eight"');
    edit(root, 'profiles/raspberry-pi-5.json', (j) => (j['cpu']['cores']['value'] = -4));
    assertConfigError(() => loadProfile('raspberry-pi-5', { root }), 'raspberry-pi-5.json', 'cpu.cores.value');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('targets are checked against their profile and their own rules', () => {
  const root = copyConfig();
  try {
    edit(root, 'targets/pixel7.json', (j) => (j['profile'] = 'pixel99'));
    assertConfigError(() => loadTarget('pixel7', { root }), 'pixel7.json', 'profile');
    edit(root, 'targets/host.json', (j) => (j['runtime'] = 'tfjs-webgl'));
    assertConfigError(() => loadTarget('host', { root }), 'host.json', 'runtime');
    edit(root, 'targets/iphone-15.json', (j) => (j['backend']['threads'] = 4));
    assertConfigError(() => loadTarget('iphone-15', { root }), 'iphone-15.json', 'backend.threads');
    edit(root, 'targets/pixel7-onnx.json', (j) => (j['exportFormats'] = ['tfjs']));
    assertConfigError(() => loadTarget('pixel7-onnx', { root }), 'pixel7-onnx.json', 'exportFormats');
    edit(root, 'targets/raspberry-pi-5.json', (j) => (j['measurement']['default'] = 'local'));
    assertConfigError(() => loadTarget('raspberry-pi-5', { root }), 'raspberry-pi-5.json', 'measurement.default');
    edit(root, 'targets/pixel7-webgl.json', (j) => (j['name'] = 'pixel8'));
    assertConfigError(() => loadTarget('pixel7-webgl', { root }), 'pixel7-webgl.json', 'name');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('unknown names and broken JSON give typed errors', () => {
  assert.throws(() => loadTarget('no-such-target'), (e: unknown) => e instanceof EdgePruneError && e.code === 'INVALID_ARGUMENT' && /pixel7/.test(e.expected));
  const root = copyConfig();
  try {
    writeFileSync(join(root, 'targets', 'host.json'), '{"name": "host",');
    assert.throws(() => loadTarget('host', { root }), (e: unknown) => e instanceof EdgePruneError && e.code === 'INVALID_JSON' && e.where.includes('host.json'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('parseConfig reports the first problem and lists the others in the hint', () => {
  const target = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'targets', 'pixel7.json'), 'utf8'));
  target.budget.memoryMb = 'lots';
  target.quantization = 'int3';
  try {
    parseConfig(TargetSchema, target, 'x.json');
    assert.fail('expected an error');
  } catch (error) {
    assert.ok(error instanceof EdgePruneError);
    assert.ok(/field (quantization|budget\.memoryMb)$/.test(error.where), error.where);
    assert.ok(/quantization|budget\.memoryMb/.test(error.hint), error.hint);
  }
  assert.throws(() => parseConfig(ProfileSchema, [], 'p.json'), (e: unknown) => e instanceof EdgePruneError && e.where === 'p.json: field (top level)');
});
