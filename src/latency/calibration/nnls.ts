// Non-negative least squares (Lawson–Hanson active set) for fitting latency coefficients.

/** Solve the square system M x = y by Gaussian elimination with partial pivoting; undefined if singular. */
function solveSquare(m: number[][], y: number[]): number[] | undefined {
  const n = y.length;
  const a = m.map((row, i) => [...row, y[i] as number]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (Math.abs(a[pivot]![col]!) < 1e-12) return undefined;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      if (f === 0) continue;
      for (let c = col; c <= n; c++) a[r]![c]! -= f * a[col]![c]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}

/** Least squares on the columns in `set` only (normal equations), other entries 0. */
function solveOn(a: number[][], b: number[], set: number[], cols: number): number[] | undefined {
  const ata = set.map((i) => set.map((j) => a.reduce((s, row) => s + row[i]! * row[j]!, 0)));
  const atb = set.map((i) => a.reduce((s, row, r) => s + row[i]! * b[r]!, 0));
  const sol = solveSquare(ata, atb);
  if (!sol) return undefined;
  const x = new Array<number>(cols).fill(0);
  set.forEach((j, k) => (x[j] = sol[k]!));
  return x;
}

/**
 * Minimize ‖A x − b‖² subject to x ≥ 0. Columns are scaled to unit norm internally, so
 * coefficients of very different magnitudes (ms per layer, ms per byte) fit together.
 */
export function solveNnls(a: number[][], b: number[]): number[] {
  const cols = a[0]?.length ?? 0;
  const scale = Array.from({ length: cols }, (_, j) => Math.sqrt(a.reduce((s, row) => s + row[j]! ** 2, 0)) || 1);
  const as = a.map((row) => row.map((v, j) => v / scale[j]!));
  let x = new Array<number>(cols).fill(0);
  const passive = new Set<number>();
  for (let iter = 0; iter < 10 * cols + 10; iter++) {
    const residual = b.map((bv, r) => bv - as[r]!.reduce((s, v, j) => s + v * x[j]!, 0));
    const gradient = Array.from({ length: cols }, (_, j) => as.reduce((s, row, r) => s + row[j]! * residual[r]!, 0));
    let best = -1;
    for (let j = 0; j < cols; j++) if (!passive.has(j) && gradient[j]! > 1e-10 && (best < 0 || gradient[j]! > gradient[best]!)) best = j;
    if (best < 0) break;
    passive.add(best);
    for (let inner = 0; inner < 3 * cols; inner++) {
      const set = [...passive].sort((p, q) => p - q);
      const z = solveOn(as, b, set, cols);
      if (!z) {
        passive.delete(best);
        break;
      }
      if (set.every((j) => z[j]! > 0)) {
        x = z;
        break;
      }
      let alpha = 1;
      for (const j of set) if (z[j]! <= 0) alpha = Math.min(alpha, x[j]! / (x[j]! - z[j]!));
      x = x.map((v, j) => v + alpha * (z[j]! - v));
      for (const j of set) if (x[j]! <= 1e-15) {
        passive.delete(j);
        x[j] = 0;
      }
    }
  }
  return x.map((v, j) => v / scale[j]!);
}
