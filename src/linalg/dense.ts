/**
 * Small dense float64 linear algebra on column arrays: a tall matrix [m×k]
 * is k Float64Arrays of length m. Used for QR and the SVD of small matrices,
 * where accuracy matters more than speed.
 */
export type Columns = Float64Array[];

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Row-major [m×k] (any float array) → columns. */
export function toColumns(data: ArrayLike<number>, m: number, k: number): Columns {
  const cols: Columns = [];
  for (let j = 0; j < k; j++) {
    const c = new Float64Array(m);
    for (let i = 0; i < m; i++) c[i] = data[i * k + j]!;
    cols.push(c);
  }
  return cols;
}

/** Columns [m×k] → row-major Float64Array [m×k]. */
export function fromColumns(cols: Columns, m: number): Float64Array {
  const k = cols.length;
  const out = new Float64Array(m * k);
  for (let j = 0; j < k; j++) {
    const c = cols[j]!;
    for (let i = 0; i < m; i++) out[i * k + j] = c[i]!;
  }
  return out;
}

/**
 * Orthonormal basis of the column span, by modified Gram–Schmidt applied
 * twice ("twice is enough", Giraud et al.), in place. A column that
 * vanishes (rank deficiency) is replaced by a unit vector orthogonal to the
 * others so Q always has orthonormal columns.
 */
export function orthonormalize(cols: Columns): Columns {
  const m = cols[0]?.length ?? 0;
  for (let j = 0; j < cols.length; j++) {
    const c = cols[j]!;
    const original = Math.sqrt(dot(c, c));
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        const q = cols[p]!;
        const h = dot(q, c);
        for (let i = 0; i < m; i++) c[i]! -= h * q[i]!;
      }
    }
    let norm = Math.sqrt(dot(c, c));
    if (!(norm > 1e-12 * Math.max(original, 1e-300))) {
      // Rank-deficient: substitute the first coordinate vector not yet spanned.
      for (let e = 0; e < m; e++) {
        c.fill(0);
        c[e] = 1;
        for (let pass = 0; pass < 2; pass++) {
          for (let p = 0; p < j; p++) {
            const q = cols[p]!;
            const h = dot(q, c);
            for (let i = 0; i < m; i++) c[i]! -= h * q[i]!;
          }
        }
        norm = Math.sqrt(dot(c, c));
        if (norm > 1e-6) break;
      }
    }
    for (let i = 0; i < m; i++) c[i]! /= norm;
  }
  return cols;
}

export interface SmallSvd {
  /** Left singular vectors as columns (k of length m). */
  u: Columns;
  /** Singular values, descending. */
  s: Float64Array;
  /** Right singular vectors as columns (k of length n). */
  v: Columns;
}

/**
 * Thin SVD of A [m×n] given as n columns of length m, m ≥ n, by one-sided
 * Jacobi (Hestenes): rotate column pairs until all are orthogonal; then the
 * column norms are the singular values. Accurate to working precision.
 */
export function jacobiSvdTall(aCols: Columns): SmallSvd {
  const n = aCols.length;
  const m = aCols[0]?.length ?? 0;
  const a = aCols.map((c) => Float64Array.from(c));
  const v: Columns = [];
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    v.push(e);
  }
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const ap = a[p]!;
        const aq = a[q]!;
        const alpha = dot(ap, ap);
        const beta = dot(aq, aq);
        const gamma = dot(ap, aq);
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = ap[i]!;
          const y = aq[i]!;
          ap[i] = c * x - s * y;
          aq[i] = s * x + c * y;
        }
        const vp = v[p]!;
        const vq = v[q]!;
        for (let i = 0; i < n; i++) {
          const x = vp[i]!;
          const y = vq[i]!;
          vp[i] = c * x - s * y;
          vq[i] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const norms = a.map((c) => Math.sqrt(dot(c, c)));
  const order = [...norms.keys()].sort((i, j) => norms[j]! - norms[i]!);
  const s = Float64Array.from(order.map((i) => norms[i]!));
  const u = order.map((i) => {
    const c = a[i]!;
    const nrm = norms[i]!;
    return nrm > 0 ? c.map((x) => x / nrm) : c;
  });
  // Columns with σ = 0 have no direction of their own: complete U to an orthonormal set.
  if (s.some((x) => !(x > 0))) orthonormalize(u);
  return { u, s, v: order.map((i) => v[i]!) };
}

/** Thin SVD of a small row-major A [m×n] in float64 (either orientation). */
export function svdSmall(data: ArrayLike<number>, m: number, n: number): SmallSvd {
  if (m >= n) return jacobiSvdTall(toColumns(data, m, n));
  // Aᵀ is tall: its SVD is A's with U and V swapped.
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = data[i * n + j]!;
  const r = jacobiSvdTall(toColumns(t, n, m));
  return { u: r.v, s: r.s, v: r.u };
}
