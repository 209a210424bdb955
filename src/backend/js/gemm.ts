/**
 * Reference GEMM in TypeScript: accumulates each output row in float64.
 * Slow (1–3 GFLOP/s) but simple enough to trust.
 */
import type { Kernels } from '../kernels.js';

export const gemmJs: Kernels['gemm'] = (
  transA,
  transB,
  m,
  n,
  k,
  alpha,
  a,
  aOff,
  lda,
  strideA,
  b,
  bOff,
  ldb,
  strideB,
  beta,
  c,
  cOff,
  ldc,
  strideC,
  batch,
) => {
  const acc = new Float64Array(n);
  // B as a row-major k×n panel, so the inner loop runs over contiguous memory.
  const bRows = transB ? new Float64Array(k * n) : null;
  for (let t = 0; t < batch; t++) {
    const a0 = aOff + t * strideA;
    const b0 = bOff + t * strideB;
    const c0 = cOff + t * strideC;
    if (bRows) {
      for (let p = 0; p < k; p++)
        for (let j = 0; j < n; j++) bRows[p * n + j] = b[b0 + j * ldb + p]!;
    }
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let p = 0; p < k; p++) {
        const aip = transA ? a[a0 + p * lda + i]! : a[a0 + i * lda + p]!;
        if (aip === 0) continue;
        if (bRows) {
          const base = p * n;
          for (let j = 0; j < n; j++) acc[j]! += aip * bRows[base + j]!;
        } else {
          const base = b0 + p * ldb;
          for (let j = 0; j < n; j++) acc[j]! += aip * b[base + j]!;
        }
      }
      const row = c0 + i * ldc;
      if (beta === 0) {
        for (let j = 0; j < n; j++) c[row + j] = alpha * acc[j]!;
      } else {
        for (let j = 0; j < n; j++) c[row + j] = alpha * acc[j]! + beta * c[row + j]!;
      }
    }
  }
};

/**
 * Reference of Kernels.gemmFused, written as its formula: each C element is
 * one float64 sum over both products; out is computed from the rounded C.
 */
export const gemmFusedJs: Kernels['gemmFused'] = (
  m,
  n,
  k,
  alpha,
  a,
  aScale,
  b,
  transB,
  k2,
  alpha2,
  a2,
  b2,
  transB2,
  c,
  out,
  outScale,
  outBias,
) => {
  if (k2 > 0 && (!a2 || !b2)) throw new Error('gemmFused: a2 and b2 are required when k2 > 0');
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s1 = 0;
      for (let p = 0; p < k; p++) {
        const bv = transB ? b[j * k + p]! : b[p * n + j]!;
        s1 += a[i * k + p]! * (aScale ? aScale[p]! : 1) * bv;
      }
      let s2 = 0;
      for (let p = 0; p < k2; p++) {
        const bv = transB2 ? b2![j * k2 + p]! : b2![p * n + j]!;
        s2 += a2![i * k2 + p]! * bv;
      }
      c[i * n + j] = alpha * s1 + alpha2 * s2;
    }
  }
  if (!out) return;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      out[i * n + j] = c[i * n + j]! * (outScale ? outScale[j]! : 1) + (outBias ? outBias[j]! : 0);
    }
  }
};
