// The source model's input/output tensor names recorded by import (meta), so ONNX export reproduces them.
import type { ModelBundle } from '../core/types.ts';

/** One recorded input or output: the source tensor name and the layer that holds it. */
interface SourceIo {
  name?: unknown;
  layer?: unknown;
}

/**
 * Layer name → source tensor name for the model's inputs and outputs, from
 * `userDefinedMetadata.edgePrune.source` (written by `edge-prune import`); empty for other bundles.
 */
export function readSourceNames(bundle: ModelBundle): Record<string, string> {
  const meta = bundle.meta['userDefinedMetadata'] as { edgePrune?: { source?: { inputs?: SourceIo[]; outputs?: SourceIo[] } } } | undefined;
  const source = meta?.edgePrune?.source;
  const out: Record<string, string> = {};
  for (const io of [...(source?.inputs ?? []), ...(source?.outputs ?? [])]) {
    if (typeof io?.name === 'string' && typeof io.layer === 'string' && io.name !== '') out[io.layer] = io.name;
  }
  return out;
}
