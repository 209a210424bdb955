/**
 * ‖W + s·B·A‖_row for the DoRA family, computed without the dOut×dIn matrix.
 *
 *   ‖W + s·B'·A‖²_row = ‖W‖²_row + 2s·rowsum(B' ⊙ P) + s²·rowsum((B'·G) ⊙ B')
 *
 * with P = W·Aᵀ [dOut×r] and G = A·Aᵀ [r×r]. For EDoRA (A, W frozen; B' = B·R)
 * P, G and ‖W‖² are computed once and each step costs O(dOut·r²). For DoRA
 * (A trains) P must be recomputed each step: one dOut×dIn×r GEMM, still no
 * dOut×dIn matrix. Everything here is a constant for backward (DoRA §4.3
 * detaches the norm), so it runs under noGrad.
 */
import { add, mul, relu, sqrt } from '../autograd/ops/elementwise.js';
import { matmul } from '../autograd/ops/matmul.js';
import { rowNorm } from '../autograd/ops/norm.js';
import { sum } from '../autograd/ops/reduce.js';
import { noGrad } from '../autograd/tape.js';
import type { Tensor } from '../tensor/tensor.js';

/** Quantities that depend only on frozen W and A. */
export interface NormCache {
  /** ‖W‖²_row [dOut]. */
  w2: Tensor;
  /** W·Aᵀ [dOut×r]. */
  p: Tensor;
  /** A·Aᵀ [r×r]. */
  g: Tensor;
}

/** ‖W‖²_row [dOut]: depends on the frozen W alone, so DoRA computes it once too. */
export function rowSquares(w: Tensor): Tensor {
  return noGrad(() => sum(mul(w, w), -1));
}

/**
 * The cache for a given A. `w2` (from `rowSquares`) is passed in when the
 * caller keeps it: DoRA recomputes P and G each step (A trains) but not ‖W‖²,
 * so a step builds no dOut×dIn matrix.
 */
export function normCache(w: Tensor, a: Tensor, w2: Tensor = rowSquares(w)): NormCache {
  return noGrad(() => ({
    w2,
    p: matmul(w, a, { transB: true }),
    g: matmul(a, a, { transB: true }),
  }));
}

/** ‖W + s·b·A‖_row from a cache of W and A; `b` is B (DoRA) or B·R (EDoRA), [dOut×r]. */
export function factoredRowNorm(cache: NormCache, b: Tensor, s: number): Tensor {
  return noGrad(() => {
    const cross = sum(mul(b, cache.p), -1);
    const quad = sum(mul(matmul(b, cache.g), b), -1);
    const sq = add(add(cache.w2, mul(cross, 2 * s)), mul(quad, s * s));
    // Rounding can take a (near-)zero row slightly negative: clamp before the root.
    return sqrt(relu(sq));
  });
}

/** The same norm by building W + s·b·A densely (the reference code's way). */
export function naiveRowNorm(w: Tensor, b: Tensor, a: Tensor, s: number): Tensor {
  return noGrad(() => rowNorm(add(w, mul(matmul(b, a), s))));
}
