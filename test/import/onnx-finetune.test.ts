// Imported ONNX models train: SGD steps on a pruned import lower its loss, touch every layer kind's weights, and still export.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildGraph } from '../../src/analyze/graph.ts';
import { findGroups } from '../../src/analyze/groups.ts';
import { exportBundle } from '../../src/export/export-bundle.ts';
import { importOnnx } from '../../src/import/onnx/import-onnx.ts';
import { applyPlan } from '../../src/prune/apply-plan.ts';
import { createTrainer } from '../../src/runtime/training.ts';
import { createRng, hashSeed } from '../fixtures/random.ts';
import { fixturePath, seededInput, type OnnxFixture } from './helpers.ts';
import { drawPlan } from './prune-helpers.ts';

const work = await mkdtemp(join(tmpdir(), 'edge-prune-onnx-finetune-'));
after(() => rm(work, { recursive: true, force: true }));

/** Fixtures covering every imported layer kind: HardSwish/HardSigmoid/SE, SiLU/SE, PReLU/BN/Concat, Flatten→Dense. */
const FIXTURES: OnnxFixture[] = ['mobilenetv3-opset17', 'efficientnet-opset13', 'bn-kept-opset12', 'vgg-opset11'];

describe('fine-tuning imported ONNX models', () => {
  for (const name of FIXTURES) {
    it(`${name}: pruned import trains (loss drops over SGD steps) and the tuned model exports to ONNX`, async () => {
      const teacher = await importOnnx(fixturePath(name));
      const groups = findGroups(buildGraph(teacher));
      const student = applyPlan(teacher, groups, drawPlan(groups, `${name}/finetune`));
      const { data } = seededInput(`${name}/train`, 16);
      const rng = createRng(hashSeed(`${name}/labels`));
      const labels = Int32Array.from({ length: 16 }, () => rng.int(10));
      const trainer = await createTrainer(student, { teacher });
      let tuned;
      const losses: number[] = [];
      try {
        for (let i = 0; i < 6; i++) losses.push(trainer.step(data, labels, 0.02));
        tuned = trainer.snapshot();
      } finally {
        trainer.dispose();
      }
      assert.ok(losses.every(Number.isFinite), `finite losses ${losses.join(', ')}`);
      assert.ok((losses.at(-1) as number) < (losses[0] as number), `loss drops: ${losses.map((l) => l.toFixed(4)).join(' → ')}`);
      const changed = new Set(tuned.weights.filter((w, i) => w.data.some((v, k) => v !== student.weights[i]?.data[k])).map((w) => w.name.split('/')[0]));
      for (const node of buildGraph(student).nodes) {
        if (Object.keys(node.weights).length > 0 && node.className !== 'BatchNormalization') assert.ok(changed.has(node.name), `weights of ${node.name} (${node.className}) were trained`);
      }
      const result = await exportBundle(tuned, { formats: ['onnx'], outDir: join(work, name) });
      assert.ok(result.formats[0]!.parity.passed, 'the tuned model exports to ONNX within parity');
    });
  }
});
