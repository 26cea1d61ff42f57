// Agreement of a model with a reference model on images: top-1 agreement and cosine similarity of centred logits.
import type { ModelBundle } from '../core/types.ts';
import { fail } from '../core/errors.ts';
import type { ImageDataset } from '../data/dataset.ts';
import { DEFAULT_NORMALIZATION, normalizationTable, readNormalization, type Normalization } from '../data/normalization.ts';
import { ensureTrainingBackend } from './train-backend.ts';
import { forEachPrediction } from './train-eval.ts';
import { buildTrainableModel, outputsProbabilities } from './train-model.ts';

/** How closely a model follows a reference on the same inputs. */
export interface Agreement {
  /** Fraction of inputs whose top-1 class is the reference's. */
  top1: number;
  /** Mean cosine similarity of the two models' logits, each centred (softmax ignores a constant shift). */
  cosine: number;
  n: number;
}

/** A model's outputs on every input, row-major, as logits. */
export interface ReferenceOutputs {
  values: Float32Array;
  classes: number;
}

/** Centre a row of logits in place (log-probabilities first when the model outputs probabilities). */
function centredLogits(row: Float32Array, probabilities: boolean): Float32Array {
  const out = new Float32Array(row.length);
  let mean = 0;
  for (let j = 0; j < row.length; j++) {
    const v = probabilities ? Math.log(Math.max(row[j] as number, 1e-7)) : (row[j] as number);
    out[j] = v;
    mean += v;
  }
  mean /= Math.max(1, row.length);
  for (let j = 0; j < row.length; j++) out[j] = (out[j] as number) - mean;
  return out;
}

/** Index of the largest value. */
function argmax(row: Float32Array): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if ((row[j] as number) > (row[best] as number)) best = j;
  return best;
}

/**
 * Compare two models' outputs row by row (`classes` values per row, both already logits or both
 * probabilities as `probabilities` says): top-1 agreement and mean cosine of centred logits. Two
 * all-constant rows count as cosine 1.
 */
export function compareOutputs(a: Float32Array, b: Float32Array, classes: number, probabilities = false): Agreement {
  if (a.length !== b.length || classes <= 0 || a.length % classes !== 0) {
    fail('INVALID_ARGUMENT', { expected: 'two output sets of the same size, whole rows', found: `${a.length} and ${b.length} values, ${classes} per row`, where: 'compareOutputs', hint: 'compare the same inputs through models with the same outputs' });
  }
  const n = a.length / classes;
  let agree = 0;
  let cosine = 0;
  for (let i = 0; i < n; i++) {
    const x = centredLogits(a.subarray(i * classes, (i + 1) * classes), probabilities);
    const y = centredLogits(b.subarray(i * classes, (i + 1) * classes), probabilities);
    if (argmax(x) === argmax(y)) agree += 1;
    let dot = 0;
    let nx = 0;
    let ny = 0;
    for (let j = 0; j < classes; j++) {
      dot += (x[j] as number) * (y[j] as number);
      nx += (x[j] as number) ** 2;
      ny += (y[j] as number) ** 2;
    }
    cosine += nx === 0 && ny === 0 ? 1 : nx === 0 || ny === 0 ? 0 : dot / Math.sqrt(nx * ny);
  }
  return { top1: n === 0 ? 0 : agree / n, cosine: n === 0 ? 0 : cosine / n, n };
}

/** Options of the image runs. */
export interface AgreementOptions {
  normalization?: Normalization;
  batch?: number;
  backend?: string;
}

/** A model's outputs on every image of `data` (inference mode). */
export async function predictImages(bundle: ModelBundle, data: ImageDataset, options: AgreementOptions = {}): Promise<ReferenceOutputs> {
  await ensureTrainingBackend(options.backend);
  const model = await buildTrainableModel(bundle);
  const lut = normalizationTable(options.normalization ?? readNormalization(bundle) ?? DEFAULT_NORMALIZATION, data.shape[2]);
  const chunks: Float32Array[] = [];
  let classes = 0;
  try {
    await forEachPrediction(model, data, lut, options.batch ?? 32, (_start, values, count) => {
      classes = values.length / count;
      chunks.push(values.slice());
    });
  } finally {
    model.dispose();
  }
  const values = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    values.set(c, at);
    at += c.length;
  }
  return { values, classes };
}

/** Agreement of `bundle` with `reference` (the unpruned model's outputs on the same images). */
export async function measureAgreement(bundle: ModelBundle, reference: ReferenceOutputs, data: ImageDataset, options: AgreementOptions = {}): Promise<Agreement> {
  const own = await predictImages(bundle, data, options);
  return compareOutputs(own.values, reference.values, reference.classes, outputsProbabilities(bundle));
}
