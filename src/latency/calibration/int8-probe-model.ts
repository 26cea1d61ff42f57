// int8 (QDQ) probe models for host calibration: a bundle's ONNX export (BN folded) quantized with ranges read on seeded inputs.
import { buildGraph } from '../../analyze/graph.ts';
import { fail } from '../../core/errors.ts';
import { uniformArray } from '../../core/random.ts';
import type { ModelBundle } from '../../core/types.ts';
import { calibrateRanges } from '../../export/calibrate-int8.ts';
import { foldBatchNorm } from '../../export/fold-bn.ts';
import { buildOnnxModel } from '../../export/onnx-graph.ts';
import { quantizeModelInt8 } from '../../export/onnx-int8.ts';
import { encodeModel } from '../../export/onnx-tensors.ts';

/** Seeded uniform inputs in [-1, 1] the activation ranges of a probe are read on (latency does not depend on the values). */
export const INT8_PROBE_INPUTS = 4;

/** An ONNX model ready to time: its bytes and its input. */
export interface TimableOnnx {
  bytes: Uint8Array;
  inputName: string;
  /** Physical input dims at batch 1. */
  inputDims: number[];
}

/**
 * A bundle as `export --quantize int8` writes it (NCHW, BatchNormalization folded, QDQ with int8
 * per-channel weights and uint8 activations), with activation ranges (min/max) read on
 * `INT8_PROBE_INPUTS` seeded uniform inputs instead of images.
 */
export async function int8ProbeModel(bundle: ModelBundle, seed = 11): Promise<TimableOnnx> {
  const folded = foldBatchNorm(buildGraph(bundle), new Map(bundle.weights.map((w) => [w.name, w])));
  const built = buildOnnxModel(folded.graph, folded.weights, { layout: 'nchw' });
  const io = built.inputs[0];
  if (!io) fail('INVALID_MODEL', { expected: 'a model with an input', found: 'none', where: 'int8 probe model', hint: 'probe models are built from an InputLayer' });
  const per = io.kerasShape.reduce((a, b) => a * b, 1);
  const images = { data: uniformArray(INT8_PROBE_INPUTS * per, seed, -1, 1), count: INT8_PROBE_INPUTS, source: 'seeded uniform inputs' };
  const ranges = await calibrateRanges(built.model, { name: io.name, nchw: io.nchw, shape: io.kerasShape }, images, { method: 'minmax' });
  const bytes = encodeModel(quantizeModelInt8(built.model, ranges));
  return { bytes, inputName: io.name, inputDims: io.dims.map((d) => (typeof d === 'number' ? d : 1)) };
}
