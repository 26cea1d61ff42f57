// Shared helpers of the fine-tune tests: temp folders, a tiny seeded CNN, IDX files.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelBundle } from '../../src/core/types.ts';
import { withEdgePruneMeta } from '../../src/data/normalization.ts';
import { ensureTrainingBackend } from '../../src/runtime/train-backend.ts';
import { buildSampleVgg, initializeWeights, toBundle } from '../../scripts/sample-architectures.ts';

/** CIFAR-10 normalization, as the samples store it. */
export const CIFAR_NORMALIZATION = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };

/** A fresh temporary folder; remove it with `rm(dir, { recursive: true })`. */
export function makeTempDir(tag: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `edge-prune-${tag}-`));
}

/** Remove a temporary folder. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A tiny seeded CNN, by default on 32×32×3 (conv 8, pool, conv 16, pool, GAP, Dense 10) with CIFAR normalization. */
export async function makeTinyCnn(seed = 1, inputShape: [number, number, number] = [32, 32, 3]): Promise<ModelBundle> {
  await ensureTrainingBackend();
  const model = buildSampleVgg([8, 'M', 16, 'M'], inputShape);
  try {
    return withEdgePruneMeta(initializeWeights(await toBundle(model), seed), { normalization: CIFAR_NORMALIZATION });
  } finally {
    model.dispose();
  }
}

/** An IDX ubyte file: magic 0x0000080N, big-endian dimensions, data. */
export function idxBytes(dims: number[], data: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, 0x08);
  header.setUint8(3, dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  return Buffer.concat([new Uint8Array(header.buffer), data]);
}
