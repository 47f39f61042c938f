/**
 * Small dense linear algebra on row-major Float64Arrays: in-place Cholesky and triangular solves.
 */

/** In-place Cholesky A = L·Lᵀ of an n×n SPD matrix (row-major); the lower triangle becomes L. */
export function choleskyInPlace(A: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const d = A[rj + j] - dotPrefix(A, rj, rj, j);
    if (!(d > 0)) throw new Error(`Cholesky: matrix not positive definite at pivot ${j} (${d})`);
    const ljj = Math.sqrt(d);
    A[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      A[ri + j] = (A[ri + j] - dotPrefix(A, ri, rj, j)) / ljj;
    }
  }
}

/** Σ_{k<len} A[x + k]·A[y + k], four accumulators. */
function dotPrefix(A: Float64Array, x: number, y: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += A[x + k] * A[y + k];
    s1 += A[x + k + 1] * A[y + k + 1];
    s2 += A[x + k + 2] * A[y + k + 2];
    s3 += A[x + k + 3] * A[y + k + 3];
  }
  for (; k < len; k++) s0 += A[x + k] * A[y + k];
  return s0 + s1 + (s2 + s3);
}

/** Solve (L·Lᵀ) x = b given the factor from choleskyInPlace; b is overwritten with x. */
export function choleskySolveInPlace(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[ri + k] * b[k];
    b[i] = s / L[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * b[k];
    b[i] = s / L[i * n + i];
  }
}

/** Convenience: solve A x = b for SPD A given as number[][] (copies its inputs). */
export function solveSpd(A: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M[i * n + j] = A[i][j];
  const x = Float64Array.from(b);
  choleskyInPlace(M, n);
  choleskySolveInPlace(M, n, x);
  return Array.from(x);
}
