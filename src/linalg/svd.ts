/**
 * Truncated SVD W ≈ U_r·diag(S_r)·V_rᵀ for EDoRA / LoRA-XS / PiSSA initialisation.
 *
 * - 'randomized': Halko, Martinsson & Tropp (2011), as scikit-learn's
 *   TruncatedSVD: a Gaussian sketch with `oversamples` extra columns, `nIter`
 *   power iterations re-orthonormalised each time, then the exact SVD of the
 *   small projected matrix. The big products run through the engine's GEMM;
 *   orthonormalisation and the small SVD run in float64.
 * - 'exact': one-sided Jacobi on the whole matrix, in float64 (small matrices).
 * - 'auto' (default): exact when min(m, n) ≤ 128, randomized otherwise.
 */
import { matmul } from '../autograd/ops/matmul.js';
import { noGrad } from '../autograd/tape.js';
import { Random } from '../tensor/random.js';
import { type DType, formatShape, Tensor } from '../tensor/tensor.js';
import { type Columns, fromColumns, orthonormalize, svdSmall, toColumns } from './dense.js';

export interface TruncatedSvdOptions {
  method?: 'auto' | 'randomized' | 'exact';
  /** Power iterations (randomized). Default 10. */
  nIter?: number;
  /** Extra sketch columns (randomized). Default 10. */
  oversamples?: number;
  /** Seed of the Gaussian sketch. Default 0. */
  seed?: number;
}

export interface TruncatedSvd {
  /** [m × r], orthonormal columns. */
  u: Tensor;
  /** r singular values, descending. */
  s: Float64Array;
  /** [n × r], orthonormal columns. */
  v: Tensor;
}

function columnsToTensor(cols: Columns, m: number, dtype: DType): Tensor {
  const rowMajor = fromColumns(cols, m);
  return new Tensor(dtype === 'float64' ? rowMajor : Float32Array.from(rowMajor), [m, cols.length]);
}

/** Sign convention: the largest-magnitude entry of each u column is positive (deterministic output). */
function fixSigns(u: Columns, v: Columns): void {
  for (let j = 0; j < u.length; j++) {
    const c = u[j]!;
    let best = 0;
    for (let i = 0; i < c.length; i++) if (Math.abs(c[i]!) > Math.abs(best)) best = c[i]!;
    if (best < 0) {
      for (let i = 0; i < c.length; i++) c[i] = -c[i]!;
      const d = v[j]!;
      for (let i = 0; i < d.length; i++) d[i] = -d[i]!;
    }
  }
}

export function truncatedSvd(
  w: Tensor,
  r: number,
  options: TruncatedSvdOptions = {},
): TruncatedSvd {
  if (w.ndim !== 2)
    throw new Error(`truncatedSvd: expected a 2-D matrix, got ${formatShape(w.shape)}`);
  const [m, n] = w.shape as [number, number];
  const k = Math.min(m, n);
  if (!Number.isInteger(r) || r < 1 || r > k) {
    throw new Error(
      `truncatedSvd: rank r = ${r} must be an integer in [1, ${k}] for a ${m}×${n} matrix`,
    );
  }
  const method = options.method ?? 'auto';
  const exact = method === 'exact' || (method === 'auto' && k <= 128);
  return noGrad(() => (exact ? exactSvd(w, r) : randomizedSvd(w, r, options)));
}

function exactSvd(w: Tensor, r: number): TruncatedSvd {
  const [m, n] = w.shape as [number, number];
  const { u, s, v } = svdSmall(w.toArray(), m, n);
  const uu = u.slice(0, r);
  const vv = v.slice(0, r);
  fixSigns(uu, vv);
  return {
    u: columnsToTensor(uu, m, w.dtype),
    s: s.slice(0, r),
    v: columnsToTensor(vv, n, w.dtype),
  };
}

function randomizedSvd(w: Tensor, r: number, options: TruncatedSvdOptions): TruncatedSvd {
  const [m, n] = w.shape as [number, number];
  const l = Math.min(r + (options.oversamples ?? 10), Math.min(m, n));
  const nIter = options.nIter ?? 10;
  const rng = new Random(options.seed ?? 0);
  const dtype = w.dtype;
  const omega = new Float64Array(n * l);
  rng.fillNormal(omega);
  const orth = (t: Tensor, rows: number): Tensor =>
    columnsToTensor(orthonormalize(toColumns(t.data, rows, l)), rows, dtype);

  // Q spans the range of W·Ω, sharpened by power iterations (W·Wᵀ)^q.
  let q = orth(
    matmul(w, new Tensor(dtype === 'float64' ? omega : Float32Array.from(omega), [n, l])),
    m,
  );
  for (let it = 0; it < nIter; it++) {
    const z = orth(matmul(w, q, { transA: true }), n); // Wᵀ·Q  [n×l]
    q = orth(matmul(w, z), m); // W·Z  [m×l]
  }
  // B = Qᵀ·W  [l×n]; its SVD B = Ub·S·Vᵀ gives W ≈ (Q·Ub)·S·Vᵀ.
  const b = matmul(q, w, { transA: true });
  const small = svdSmall(b.data, l, n);
  const ub = small.u.slice(0, r); // columns of length l
  const qCols = toColumns(q.data, m, l);
  const u: Columns = ub.map((c) => {
    const out = new Float64Array(m);
    for (let p = 0; p < l; p++) {
      const coef = c[p]!;
      const qc = qCols[p]!;
      for (let i = 0; i < m; i++) out[i]! += coef * qc[i]!;
    }
    return out;
  });
  const v = small.v.slice(0, r);
  fixSigns(u, v);
  return {
    u: columnsToTensor(u, m, dtype),
    s: small.s.slice(0, r),
    v: columnsToTensor(v, n, dtype),
  };
}
