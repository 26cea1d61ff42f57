// Plain-words labels of how a latency figure was obtained (DESIGN.md §9: never pass emulation off as the device).
import type { Profile, Target } from '../core/schemas.ts';
import type { DeviceInfo, RawTiming, VerifyMethod } from './types.ts';
import { EMULATION_WINDOW_MS } from './emulated.ts';

/** What a label needs besides the timing. */
export interface LabelContext {
  method: VerifyMethod;
  target: Target;
  profile: Profile;
  timing: RawTiming;
  rate?: number | null;
  /** The rate came from --throttling-rate, not the profile. */
  rateOverridden?: boolean;
  browser?: string | null;
  device?: DeviceInfo | null;
}

/** `tfjs 4.22.0 wasm, SIMD, 1 thread` */
function describeRuntime(t: RawTiming): string {
  const threads = `${t.threads} thread${t.threads === 1 ? '' : 's'}`;
  return `${t.runtimeVersion} ${t.backend}${t.simd ? ', SIMD' : ''}, ${threads}`;
}

/** The label of a measurement. */
export function labelMeasurement(c: LabelContext): string {
  const runtime = describeRuntime(c.timing);
  const differs = c.timing.runtime !== c.target.runtime ? ` (the target runs ${c.target.runtime})` : '';
  if (c.method === 'local') {
    return `local: ${runtime} on this host${differs}${c.profile.class === 'host' ? '' : `; not ${c.profile.device}`}`;
  }
  if (c.method === 'emulated') {
    const emulation = c.profile.emulation;
    const calibrated = c.rateOverridden ? 'set by --throttling-rate' : emulation.calibrated ? `calibrated for ${emulation.runtime}` : 'uncalibrated';
    const rate = c.rate ?? emulation.cpuThrottlingRate.value;
    const gpu = c.timing.backend === 'webgl' ? '; WebGL rendered in software (SwiftShader), not the phone\'s GPU' : '';
    return `emulated: headless ${c.browser ?? 'Chromium'}, ${runtime}${differs}, CPU throttled ×${Number(rate.toFixed(2))} (${calibrated}; profile ${c.profile.name}), each run the mean over ≥${EMULATION_WINDOW_MS} ms of back-to-back inferences${gpu}; not the device`;
  }
  const d = c.device;
  const who = d?.model ?? d?.userAgent ?? 'a phone';
  const via = d?.via === 'adb' ? `over USB (adb${d.serial ? ` ${d.serial}` : ''})` : 'over the network';
  return `device: ${who} ${via}, ${runtime}${differs}`;
}
