// Channel groups on real architectures: literature MAC/param figures, residual unions, concat offsets, flatten rows, depthwise paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { analyzeModel, describeGroups } from '../../src/analyze/analyze-model.ts';
import { ensureFixture, FIXTURE_NAMES } from '../fixtures/build-fixtures.ts';

const within = (value: number, target: number, rel: number): boolean => Math.abs(value - target) <= rel * target;

test('VGG-16 (CIFAR) reports the literature figures within 1%: 313.7M MACs, 14.98M params', async () => {
  const { cost, groups } = analyzeModel(await readBundle(await ensureFixture('vgg16')));
  assert.ok(within(cost.macs, 313.7e6, 0.01), `MACs ${cost.macs}`);
  assert.ok(within(cost.params, 14.98e6, 0.01), `params ${cost.params}`);
  assert.equal(groups.filter((g) => !g.locked).length, 14, '13 conv groups + the hidden dense group');
});

test('ResNet-56 (CIFAR, 1×1 projection shortcuts on the two downsampling blocks) reports ≈125.5M MACs and 0.85M params within 1%', async () => {
  const { cost, groups } = analyzeModel(await readBundle(await ensureFixture('resnet56')));
  assert.ok(within(cost.macs, 125.5e6, 0.01), `MACs ${cost.macs}`);
  assert.ok(within(cost.params, 0.85e6, 0.01), `params ${cost.params}`);
  // One residual stream per stage: every block's second conv (and the projection) share one group.
  const streams = groups.filter((g) => g.members.filter((m) => m.role === 'producer' && m.slot === 'kernel').length >= 9);
  assert.equal(streams.length, 3, 'three residual streams');
  for (const s of streams) assert.ok(s.members.some((m) => m.role === 'consumer'));
});

test('Concatenate places each branch at its offset in the consumers\' kernels', async () => {
  const { groups, graph } = analyzeModel(await readBundle(await ensureFixture('inception')));
  const concat = graph.nodes.find((n) => n.className === 'Concatenate' && n.outputShape.length === 3);
  assert.ok(concat);
  // The first layer with a kernel downstream of the concatenation (pooling passes channels through).
  let next = graph.nodes.find((n) => n.inputs.includes(concat.name));
  while (next && !next.weights['kernel']) next = graph.nodes.find((n) => n.inputs.includes(next?.name as string));
  const reader = next;
  assert.ok(reader, 'a conv reads the concatenation');
  const offsets = groups.flatMap((g) => g.members.filter((m) => m.layer === reader.name && m.role === 'consumer').map((m) => ({ offset: m.offset, size: g.size })));
  offsets.sort((a, b) => a.offset - b.offset);
  assert.ok(offsets.length >= 3, 'one consumer member per branch');
  let expected = 0;
  for (const o of offsets) {
    assert.equal(o.offset, expected);
    expected += o.size;
  }
  assert.equal(expected, concat.outputShape[2]);
});

test('Flatten maps channel c to Dense rows p·C + c', async () => {
  const { groups, graph } = analyzeModel(await readBundle(await ensureFixture('flatten-dense')));
  const flatten = graph.nodes.find((n) => n.className === 'Flatten');
  assert.ok(flatten);
  const before = graph.nodes.find((n) => n.name === flatten.inputs[0]);
  const [h, w, c] = before?.outputShape ?? [];
  const rows = groups.flatMap((g) => g.members).find((m) => m.role === 'consumer' && m.repeat > 1);
  assert.ok(rows, 'a consumer member with repeated rows');
  assert.equal(rows.stride, c);
  assert.equal(rows.repeat, (h as number) * (w as number));
});

test('depthwise layers are pass members and sit on the FSCL path of the next consumer (MobileNetV2)', async () => {
  const { groups, graph } = analyzeModel(await readBundle(await ensureFixture('mobilenetv2')));
  const dw = graph.nodes.filter((n) => n.className === 'DepthwiseConv2D').map((n) => n.name);
  assert.ok(dw.length > 0);
  for (const name of dw) {
    const group = groups.find((g) => g.members.some((m) => m.layer === name));
    assert.ok(group, `${name} belongs to a group`);
    assert.ok(group.members.some((m) => m.role === 'consumer' && m.via?.some((v) => v.layer === name)), `${name} is on a consumer's path`);
  }
  const add = graph.nodes.find((n) => n.className === 'Add');
  assert.ok(add, 'inverted residual Add');
});

test('the output layer\'s channels and the input channels are locked, with reasons', async () => {
  for (const name of FIXTURE_NAMES) {
    const { groups, graph } = analyzeModel(await readBundle(await ensureFixture(name)));
    const out = graph.outputs[0] as string;
    const outGroup = groups.find((g) => g.lockReasons.includes('reaches a model output'));
    assert.ok(outGroup, `${name}: output group locked (${out})`);
    assert.ok(groups.some((g) => g.lockReasons.includes('model input')), `${name}: input locked`);
  }
});

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
for (const name of ['inception', 'mobilenetv2', 'flatten-dense'] as const) {
  test(`${name}: the printed groups match the golden text (stable across runs)`, async () => {
    const text = describeGroups(analyzeModel(await readBundle(await ensureFixture(name))));
    const path = join(goldenDir, `${name}.groups.txt`);
    if (process.env['UPDATE_GOLDEN'] === '1') {
      await mkdir(goldenDir, { recursive: true });
      await writeFile(path, `${text}\n`);
    }
    assert.equal(`${text}\n`, await readFile(path, 'utf8'));
  });
}
