// Whether a run writes the int8 ONNX beside the float32 one: the target's runtime must execute int8 and images must calibrate it.
import { fail } from '../core/errors.ts';
import type { Target } from '../core/schemas.ts';
import type { ModelBundle } from '../core/types.ts';
import { sampleDataset, type ImageDataset } from '../data/dataset.ts';
import type { ExportOptions } from './types.ts';

/** `--quantize`: int8 beside float32, or none. */
export type QuantizeChoice = 'int8' | 'none';

/** The decision and, when int8 is not written, why (one line for the report). */
export type Int8Decision = { write: true; chosenBy: 'option' | 'target' } | { write: false; reason: string };

/** Does the target's runtime execute int8 kernels (its `encodings.compute` lists int8)? */
export function targetComputesInt8(target: Target): boolean {
  return target.encodings?.compute.includes('int8') === true;
}

/**
 * Decide the int8 export of a run. Default: int8 when the target computes int8 and images (labelled
 * or not) are given, for classifiers (int8 is judged by top-1 agreement). `requested: 'int8'` on a
 * target without int8 kernels, or without images, is INVALID_ARGUMENT (checked before any work).
 */
export function decideInt8(target: Target, options: { requested?: QuantizeChoice; hasData: boolean; dense?: boolean }): Int8Decision {
  const computes = targetComputesInt8(target);
  if (options.requested === 'int8') {
    if (!computes) fail('INVALID_ARGUMENT', { expected: 'a target whose runtime executes int8 (encodings.compute lists int8)', found: `${target.name} (${target.runtime}) computes ${target.encodings?.compute.join(', ') ?? 'float32'} only`, where: '--quantize int8', hint: 'pick an int8 target such as pixel7-onnx, or drop --quantize' });
    if (!options.hasData) fail('INVALID_ARGUMENT', { expected: '--data <dir> with --quantize int8', found: 'no data', where: '--quantize int8', hint: 'int8 activations are calibrated on images: add --data <image folder>' });
  }
  if (options.requested === 'none') return { write: false, reason: '--quantize none' };
  if (!computes) return { write: false, reason: `${target.name} runs ${target.runtime}, which has no int8 kernels (it computes ${target.encodings?.compute.join(', ') ?? 'float32'})` };
  if (!options.hasData) return { write: false, reason: 'no images to calibrate int8 activations on (--data <dir>)' };
  if (options.dense) return { write: false, reason: 'the model has several or dense outputs, and int8 is judged by top-1 agreement with the float model' };
  return { write: true, chosenBy: options.requested === 'int8' ? 'option' : 'target' };
}

/** Calibration images of a run: a seeded sample of up to `count` images of the train split (never the held-out ones). */
export async function runCalibration(bundle: ModelBundle, train: ImageDataset, source: string, seed: number, count = 256): Promise<{ options: Pick<ExportOptions, 'quantize' | 'int8Alongside' | 'calibration'>; described: string }> {
  const { parityImagesOf } = await import('./parity-images.ts');
  const images = parityImagesOf(bundle, sampleDataset(train, count, seed), count, `${source} (train split)`);
  return { options: { quantize: 'int8', int8Alongside: true, calibration: { images, method: 'minmax' } }, described: `${images.count} images of ${images.source}, min/max ranges` };
}
