/** Matrices with a chosen spectrum, for SVD checks that know the answer beforehand. */
import { fromColumns, orthonormalize, toColumns } from '../../src/linalg/dense.js';
import type { Random } from '../../src/tensor/random.js';

/** A random m×k matrix with orthonormal columns (Gram–Schmidt of a Gaussian), row-major. */
export function randomOrthonormal(m: number, k: number, rng: Random): Float64Array {
  const g = new Float64Array(m * k);
  rng.fillNormal(g);
  return fromColumns(orthonormalize(toColumns(g, m, k)), m);
}

/** W = U·diag(s)·Vᵀ with the given spectrum, row-major [m×n]. */
export function withSpectrum(m: number, n: number, s: number[], rng: Random): Float64Array {
  const k = s.length;
  const u = randomOrthonormal(m, k, rng);
  const v = randomOrthonormal(n, k, rng);
  const w = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += u[i * k + p]! * s[p]! * v[j * k + p]!;
      w[i * n + j] = acc;
    }
  return w;
}
