// The ONNX model's input: one float tensor [batch, C, H, W] (or [batch, F]) with every size but the batch fixed.
import { fail } from '../../core/errors.ts';
import type { OnnxFile } from './onnx-file.ts';
import { toNumber } from './onnx-file.ts';
import type { ConstTensor } from './onnx-tensor.ts';

/** The model input as the importer uses it. */
export interface SourceInput {
  /** ONNX input name. */
  name: string;
  /** Keras shape without the batch axis: [H, W, C] or [F]. */
  kerasShape: number[];
}

/** Read the single non-initializer graph input; the batch axis may be symbolic, the rest must be fixed. */
export function readSourceInput(file: OnnxFile, consts: ReadonlyMap<string, ConstTensor>): SourceInput {
  const inputs = (file.graph.input ?? []).filter((i) => !consts.has(i.name ?? ''));
  if (inputs.length !== 1) {
    fail('UNSUPPORTED_OP', { expected: 'a model with one input', found: `${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')})`, where: file.path, hint: 'edge-prune imports single-input image models' });
  }
  const input = inputs[0]!;
  const name = input.name ?? '';
  const tensor = input.type?.tensorType;
  if (!tensor || tensor.elemType !== 1) {
    fail('UNSUPPORTED_OP', { expected: 'a float32 model input', found: tensor ? `element type ${tensor.elemType}` : 'a non-tensor input', where: `${file.path}: input "${name}"`, hint: 'export the model with float32 inputs (float16 weights are fine)' });
  }
  const dims = (tensor.shape?.dim ?? []).map((d) => (d.dimValue != null && toNumber(d.dimValue) > 0 ? toNumber(d.dimValue) : d.dimParam || '?'));
  const fixed = dims.slice(1);
  if ((dims.length !== 4 && dims.length !== 2) || fixed.some((d) => typeof d !== 'number')) {
    fail('UNSUPPORTED_OP', {
      expected: 'an input [batch, channels, height, width] (or [batch, features]) with fixed sizes except the batch',
      found: `dims [${dims.join(', ')}]`,
      where: `${file.path}: input "${name}"`,
      hint: 'export with dynamic_axes on the batch axis only (e.g. {"input": {0: "batch"}})',
    });
  }
  const [c, h, w] = fixed as number[];
  return { name, kerasShape: dims.length === 4 ? [h as number, w as number, c as number] : [c as number] };
}
