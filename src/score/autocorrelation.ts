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

/** Tap-index pairs of every unique lag (the half with dy > 0, or dy = 0 and dx ≥ 0) of a kh×kw kernel. */
function lagPairs(kh: number, kw: number): { lags: { dy: number; dx: number }[]; start: Int32Array; a: Int32Array; b: Int32Array } {
  const lags: { dy: number; dx: number }[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const start: number[] = [0];
  for (let dy = 0; dy < kh; dy++) {
    for (let dx = -(kw - 1); dx < kw; dx++) {
      if (dy === 0 && dx < 0) continue;
      for (let y = 0; y + dy < kh; y++) {
        for (let x = Math.max(0, -dx); x < kw && x + dx < kw; x++) {
          a.push(y * kw + x);
          b.push((y + dy) * kw + x + dx);
        }
      }
      lags.push({ dy, dx });
      start.push(a.length);
    }
  }
  return { lags, start: Int32Array.from(start), a: Int32Array.from(a), b: Int32Array.from(b) };
}

/**
 * Autocorrelation sums of every 2-D slice of a kernel stored [kh, kw, cin, cout]:
 * `byIn[c] = Σ_m R(K[:,:,c,m])` and `byOut[m] = Σ_c R(K[:,:,c,m])`, each (2kh-1)×(2kw-1).
 * Only the unique half of each R is accumulated (R(−τ) = R(τ)); the full arrays are filled at the end.
 */
export function kernelAutocorrelations(data: Float32Array, kh: number, kw: number, cin: number, cout: number): { byIn: Float64Array; byOut: Float64Array; lagH: number; lagW: number } {
  const lagH = 2 * kh - 1;
  const lagW = 2 * kw - 1;
  const lags = lagH * lagW;
  const { lags: half, start, a, b } = lagPairs(kh, kw);
  const u = half.length;
  const inHalf = new Float64Array(cin * u);
  const outHalf = new Float64Array(cout * u);
  const taps = kh * kw;
  const k = new Float64Array(taps);
  const stride = cin * cout;
  for (let c = 0; c < cin; c++) {
    const inBase = c * u;
    for (let m = 0; m < cout; m++) {
      let at = c * cout + m;
      for (let t = 0; t < taps; t++, at += stride) k[t] = data[at] as number;
      const outBase = m * u;
      for (let l = 0; l < u; l++) {
        let sum = 0;
        for (let p = start[l] as number, end = start[l + 1] as number; p < end; p++) sum += (k[a[p] as number] as number) * (k[b[p] as number] as number);
        inHalf[inBase + l] = (inHalf[inBase + l] as number) + sum;
        outHalf[outBase + l] = (outHalf[outBase + l] as number) + sum;
      }
    }
  }
  const expand = (src: Float64Array, n: number): Float64Array => {
    const full = new Float64Array(n * lags);
    for (let i = 0; i < n; i++) {
      half.forEach(({ dy, dx }, l) => {
        const v = src[i * u + l] as number;
        full[i * lags + (dy + kh - 1) * lagW + dx + kw - 1] = v;
        full[i * lags + (kh - 1 - dy) * lagW + kw - 1 - dx] = v;
      });
    }
    return full;
  };
  return { byIn: expand(inHalf, cin), byOut: expand(outHalf, cout), lagH, lagW };
}
