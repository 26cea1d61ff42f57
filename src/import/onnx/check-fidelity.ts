// Import fidelity: the imported bundle (tfjs) against the original ONNX file (onnxruntime) on seeded inputs, output by output.
import { fail } from '../../core/errors.ts';
import type { ModelBundle } from '../../core/types.ts';
import { buildGraph } from '../../analyze/graph.ts';
import { convertNchwToNhwc, convertNhwcToNchw, createSeededInput } from '../../export/parity.ts';
import { encodeModel } from '../../export/onnx-tensors.ts';
import { readSourceNames } from '../../export/source-names.ts';
import { predictOutputs } from '../../runtime/layers-model.ts';
import { createOnnxSession } from '../../runtime/onnx-session.ts';
import { readOnnxFile } from './onnx-file.ts';

/** What the fidelity check measured. */
export interface FidelityFigures {
  /** Largest |tfjs − onnxruntime| over every output element. */
  maxAbsDiff: number;
  /** 1e-4 · max(1, max |reference|). */
  tolerance: number;
  /** Per output (source tensor name): largest |diff| and largest |reference|. */
  outputs: { name: string; maxAbsDiff: number; maxAbsReference: number }[];
  samples: number;
  seed: number;
  runtime: 'onnxruntime-node';
}

/**
 * The model onnxruntime runs: the file itself, or (for a sub-graph import, `--outputs`) its bytes
 * with the imported tensors as graph outputs.
 */
async function referenceModel(onnxPath: string, names: readonly string[]): Promise<string | Uint8Array> {
  const file = await readOnnxFile(onnxPath);
  const graphOutputs = (file.graph.output ?? []).map((o) => o.name ?? '');
  if (names.length === 0 || names.every((n) => graphOutputs.includes(n))) return onnxPath;
  file.graph.output = names.map((name) => ({ name, type: { tensorType: { elemType: 1 } } }));
  return encodeModel(file.model);
}

/**
 * Run the original ONNX file in onnxruntime and the imported bundle in tfjs on the same seeded
 * batch (NCHW for onnxruntime, NHWC for tfjs) and compare every output (matched by the source
 * names import recorded). PARITY_FAILED beyond 1e-4 · max(1, max |reference|).
 */
export async function checkOnnxFidelity(onnxPath: string, bundle: ModelBundle, options: { samples?: number; seed?: number } = {}): Promise<FidelityFigures> {
  const samples = options.samples ?? 2;
  const seed = options.seed ?? 1;
  const graph = buildGraph(bundle);
  const sourceNames = readSourceNames(bundle);
  const names = graph.outputs.map((layer) => sourceNames[layer] ?? layer);
  const inputShape = graph.nodes.find((n) => n.name === graph.inputs[0])?.outputShape ?? [];
  const shape = [samples, ...inputShape];
  const input = createSeededInput(shape.reduce((a, b) => a * b, 1), seed);
  const got = await predictOutputs(bundle, input, shape);
  const recorded = new Set(Object.values(sourceNames));
  const session = await createOnnxSession(await referenceModel(onnxPath, names.filter((n) => recorded.has(n))));
  let reference: Float32Array[];
  try {
    const image = inputShape.length === 3;
    const [h, w, c] = inputShape as [number, number, number];
    const feed = image ? { data: convertNhwcToNchw(input, shape), dims: [samples, c, h, w] } : { data: input, dims: shape };
    const ran = await session.run({ [session.inputNames[0] as string]: feed });
    const order = names.every((n) => n in ran) ? names : session.outputNames;
    reference = order.map((name) => {
      const t = ran[name] as { data: Float32Array; dims: number[] };
      return t.dims.length === 4 ? convertNchwToNhwc(t.data, [samples, t.dims[2] as number, t.dims[3] as number, t.dims[1] as number]) : t.data;
    });
  } finally {
    await session.release();
  }
  const outputs = reference.map((ref, k) => {
    const out = got[k] ?? new Float32Array(0);
    if (out.length !== ref.length) fail('PARITY_FAILED', { expected: `${ref.length} values in output ${k}`, found: `${out.length}`, where: onnxPath, hint: 'the imported model has a different output shape; report this import bug' });
    let maxAbsDiff = 0;
    let maxAbsReference = 0;
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs((ref[i] as number) - (out[i] as number));
      if (!(d <= maxAbsDiff)) maxAbsDiff = d;
      maxAbsReference = Math.max(maxAbsReference, Math.abs(ref[i] as number));
    }
    return { name: names[k] ?? `output ${k}`, maxAbsDiff, maxAbsReference };
  });
  const maxAbsDiff = outputs.reduce((m, o) => (o.maxAbsDiff > m || Number.isNaN(o.maxAbsDiff) ? o.maxAbsDiff : m), 0);
  const tolerance = 1e-4 * Math.max(1, ...outputs.map((o) => o.maxAbsReference));
  if (!(maxAbsDiff <= tolerance)) {
    fail('PARITY_FAILED', { expected: `imported outputs within ${tolerance.toExponential(2)} of onnxruntime's`, found: `max |diff| ${maxAbsDiff.toExponential(2)}`, where: onnxPath, hint: 'the import changed what the model computes; report this with the model' });
  }
  return { maxAbsDiff, tolerance, outputs, samples, seed, runtime: 'onnxruntime-node' };
}
