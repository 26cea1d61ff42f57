// Host drift during an int8 calibration: the float32 anchors timed beside the int8 models, against their float32 calibration times.
import { median } from '../../core/statistics.ts';
import type { ModelBundle } from '../../core/types.ts';
import type { HostTimer } from './calibrate-timers.ts';

/** The float32 anchor copies to time, and a timer that runs them in float32 and everything else on `timer`. */
export interface DriftSetup {
  timer: HostTimer;
  anchors: Array<{ id: string; bundle: ModelBundle }>;
}

/**
 * Add float32 copies of the anchor networks (ids in `reference`, the profile's float32 calibration
 * anchors) to an int8 timing: the returned timer loads those copies on `float32` and the rest on `int8`.
 */
export function withFloat32Anchors(int8: HostTimer, float32: HostTimer, items: ReadonlyArray<{ id: string; bundle: ModelBundle }>, reference: Readonly<Record<string, number>>): DriftSetup {
  const anchors = items.filter((i) => reference[i.id] !== undefined).map((i) => ({ id: `${i.id}@float32`, bundle: { ...i.bundle } }));
  const copies = new Set(anchors.map((a) => a.bundle));
  return { timer: { ...int8, load: (bundle) => (copies.has(bundle) ? float32.load(bundle) : int8.load(bundle)) }, anchors };
}

/** How much slower the host runs now than at the float32 calibration: the median over anchors of now / then (1 without anchors). */
export function driftOf(measured: ReadonlyArray<{ id: string; ms: number }>, reference: Readonly<Record<string, number>>): number {
  const ratios = measured.flatMap((m) => {
    const then = reference[m.id.replace(/@float32$/, '')];
    return then ? [m.ms / then] : [];
  });
  return ratios.length > 0 ? median(ratios) : 1;
}
