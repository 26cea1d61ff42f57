// Ridge least squares toward prior weights: (XᵀX + λI) W = XᵀY + λ W₀, solved by Cholesky in float64.

/** In-place Cholesky factor (lower triangle) of a symmetric n×n matrix; false when it is not positive definite. */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j] as number;
    for (let k = 0; k < j; k++) d -= (a[rj + k] as number) ** 2;
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[rj + j] = l;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j] as number;
      for (let k = 0; k < j; k++) s -= (a[ri + k] as number) * (a[rj + k] as number);
      a[ri + j] = s / l;
    }
  }
  return true;
}

/** Solve L Lᵀ X = B in place for `m` right-hand sides (B is n×m row-major). */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, m: number): void {
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const lik = l[i * n + k] as number;
      if (lik === 0) continue;
      for (let c = 0; c < m; c++) (b[i * m + c] as number) -= lik * (b[k * m + c] as number);
    }
    const d = l[i * n + i] as number;
    for (let c = 0; c < m; c++) (b[i * m + c] as number) /= d;
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const lki = l[k * n + i] as number;
      if (lki === 0) continue;
      for (let c = 0; c < m; c++) (b[i * m + c] as number) -= lki * (b[k * m + c] as number);
    }
    const d = l[i * n + i] as number;
    for (let c = 0; c < m; c++) (b[i * m + c] as number) /= d;
  }
}

/**
 * W = argmin ‖XW − Y‖² + λ‖W − W₀‖² from the normal equations (`gram` = XᵀX, n×n; `cross` = XᵀY,
 * n×m; `prior` = W₀, n×m), with λ = `ridge` × mean diagonal of XᵀX. If the system is not positive
 * definite in float64 (should not happen with λ > 0), λ grows tenfold until it is. Returns W (n×m).
 */
export function ridgeSolve(gram: Float64Array, cross: Float64Array, prior: Float64Array, n: number, m: number, ridge: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += gram[i * n + i] as number;
  let lambda = Math.max(ridge * (trace / Math.max(1, n)), 1e-12);
  for (let attempt = 0; attempt < 8; attempt++, lambda *= 10) {
    const a = Float64Array.from(gram);
    for (let i = 0; i < n; i++) (a[i * n + i] as number) += lambda;
    if (!choleskyInPlace(a, n)) continue;
    const b = new Float64Array(n * m);
    for (let i = 0; i < b.length; i++) b[i] = (cross[i] as number) + lambda * (prior[i] as number);
    choleskySolve(a, n, b, m);
    return b;
  }
  return Float64Array.from(prior);
}
