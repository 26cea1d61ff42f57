// The plan encodings a target can deploy, least lossy first, starting at the source's.
import { PLAN_ENCODINGS, type PlanEncoding } from '../core/types.ts';
import type { LoadedTarget } from '../targets/load-targets.ts';
import { hasInt8Costs } from './latency-model.ts';

/** Whether a target can run a plan in int8: its runtime computes int8, it deploys ONNX, and its profile has int8 costs. */
export function runsInt8(loaded: LoadedTarget): boolean {
  const { target, profile } = loaded;
  return (target.encodings?.compute.includes('int8') ?? false) && target.exportFormats[0] === 'onnx' && hasInt8Costs(profile, target.runtime);
}

/**
 * The encodings a search may choose for a target, least lossy first: `source` (the model's own
 * encoding, always allowed), then each more compact encoding the target declares it loads
 * (`encodings.weights`; without that list only `source`), int8 only where `runsInt8`.
 */
export function encodingChoices(loaded: LoadedTarget, source: PlanEncoding): PlanEncoding[] {
  const declared: readonly string[] = loaded.target.encodings?.weights ?? [];
  const rank = (e: PlanEncoding): number => PLAN_ENCODINGS.indexOf(e);
  const more = PLAN_ENCODINGS.filter((e) => rank(e) > rank(source) && declared.includes(e) && (e !== 'int8' || runsInt8(loaded)));
  return [source, ...more];
}
