// The identity of a training run (data, model, settings), so --resume only continues the same run.
import { createHash } from 'node:crypto';
import type { ModelBundle } from '../core/types.ts';
import type { ImageDataset } from '../data/dataset.ts';

/** Feed a bundle's topology and weight values into a hash. */
function hashBundle(hash: ReturnType<typeof createHash>, bundle: ModelBundle): void {
  hash.update(JSON.stringify(bundle.topology));
  for (const w of bundle.weights) hash.update(w.name).update(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength));
}

/** Feed a dataset's pixels, labels and classes into a hash. */
function hashDataset(hash: ReturnType<typeof createHash>, data: ImageDataset | undefined): void {
  if (!data) return void hash.update('none');
  hash.update(`${data.shape.join('x')}|${data.classes.join(',')}|${data.labels.length}`);
  hash.update(new Uint8Array(data.labels.buffer, data.labels.byteOffset, data.labels.byteLength)).update(data.images);
}

/** A short hash of everything a resumed run must share with the run that wrote the checkpoint. */
export function computeRunKey(parts: { bundle: ModelBundle; teacher?: ModelBundle; train: ImageDataset; validation?: ImageDataset; settings: unknown }): string {
  const hash = createHash('sha256');
  hashBundle(hash, parts.bundle);
  if (parts.teacher) hashBundle(hash, parts.teacher);
  hashDataset(hash, parts.train);
  hashDataset(hash, parts.validation);
  hash.update(JSON.stringify(parts.settings));
  return hash.digest('hex').slice(0, 24);
}
