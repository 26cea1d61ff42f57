// 2-D autocorrelation arithmetic behind FSCL's exact cheap form: ‖a ⊛ b‖² = Σ_τ R_a(τ)·R_b(τ).

/** A centered 2-D array (odd sizes; the zero lag at the middle). */
export interface Lag2d {
  h: number;
  w: number;
  data: Float64Array;
}

/** A zero lag array of the given odd size. */
export function zeroLag(h: number, w: number): Lag2d {
  return { h, w, data: new Float64Array(h * w) };
}

/** Add `scale · src` into `dst`, centers aligned; `dst` must be at least as large. */
export function addCentered(dst: Lag2d, src: Lag2d, scale = 1): void {
  const oy = (dst.h - src.h) / 2;
  const ox = (dst.w - src.w) / 2;
  for (let y = 0; y < src.h; y++) {
    const row = (y + oy) * dst.w + ox;
    for (let x = 0; x < src.w; x++) dst.data[row + x] = (dst.data[row + x] as number) + scale * (src.data[y * src.w + x] as number);
  }
}

/** Grow an array to at least h×w by zero padding around its center. */
export function growTo(a: Lag2d, h: number, w: number): Lag2d {
  if (a.h >= h && a.w >= w) return a;
  const out = zeroLag(Math.max(a.h, h), Math.max(a.w, w));
  addCentered(out, a);
  return out;
}

/** Σ_τ a(τ)·b(τ) with centers aligned (lags outside either array count as zero). */
export function dotCentered(a: Lag2d, b: Lag2d): number {
  const h = Math.min(a.h, b.h);
  const w = Math.min(a.w, b.w);
  const ay = (a.h - h) / 2, ax = (a.w - w) / 2, by = (b.h - h) / 2, bx = (b.w - w) / 2;
  let sum = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) sum += (a.data[(y + ay) * a.w + x + ax] as number) * (b.data[(y + by) * b.w + x + bx] as number);
  }
  return sum;
}

/** Full 2-D convolution of two centered arrays (the autocorrelation of a ⊛ b is R_a ⊛ R_b). */
export function convolveFull(a: Lag2d, b: Lag2d): Lag2d {
  const out = zeroLag(a.h + b.h - 1, a.w + b.w - 1);
  for (let y = 0; y < a.h; y++) {
    for (let x = 0; x < a.w; x++) {
      const v = a.data[y * a.w + x] as number;
      if (v === 0) continue;
      for (let v2 = 0; v2 < b.h; v2++) {
        const row = (y + v2) * out.w + x;
        for (let u = 0; u < b.w; u++) out.data[row + u] = (out.data[row + u] as number) + v * (b.data[v2 * b.w + u] as number);
      }
    }
  }
  return out;
}

/**
 * Autocorrelation sums of every 2-D slice of a kernel stored [kh, kw, cin, cout]:
 * `byIn[c] = Σ_m R(K[:,:,c,m])` and `byOut[m] = Σ_c R(K[:,:,c,m])`, each (2kh-1)×(2kw-1).
 */
export function kernelAutocorrelations(data: Float32Array, kh: number, kw: number, cin: number, cout: number): { byIn: Float64Array; byOut: Float64Array; lagH: number; lagW: number } {
  const lagH = 2 * kh - 1;
  const lagW = 2 * kw - 1;
  const lags = lagH * lagW;
  const byIn = new Float64Array(cin * lags);
  const byOut = new Float64Array(cout * lags);
  const taps = kh * kw;
  const k = new Float64Array(taps);
  const r = new Float64Array(lags);
  for (let c = 0; c < cin; c++) {
    for (let m = 0; m < cout; m++) {
      for (let t = 0; t < taps; t++) k[t] = data[(t * cin + c) * cout + m] as number;
      r.fill(0);
      for (let dy = 0; dy < kh; dy++) {
        for (let dx = -(kw - 1); dx < kw; dx++) {
          if (dy === 0 && dx < 0) continue;
          let s = 0;
          for (let y = 0; y + dy < kh; y++) {
            for (let x = Math.max(0, -dx); x < kw && x + dx < kw; x++) s += (k[y * kw + x] as number) * (k[(y + dy) * kw + x + dx] as number);
          }
          r[(dy + kh - 1) * lagW + dx + kw - 1] = s;
          r[(kh - 1 - dy) * lagW + kw - 1 - dx] = s;
        }
      }
      const inBase = c * lags;
      const outBase = m * lags;
      for (let t = 0; t < lags; t++) {
        const v = r[t] as number;
        byIn[inBase + t] = (byIn[inBase + t] as number) + v;
        byOut[outBase + t] = (byOut[outBase + t] as number) + v;
      }
    }
  }
  return { byIn, byOut, lagH, lagW };
}
