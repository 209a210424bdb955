/**
 * lowRankLinear: a linear layer with a low-rank update and an optional
 * per-output scale, as one op with a hand-written backward:
 *
 *   z = x·Wᵀ + s·((x̃·Aᵀ)·Rᵀ)·Bᵀ        x [N, dIn], W [dOut, dIn], A [r, dIn], R [r, r] (optional), B [dOut, r]
 *   y = z ⊙ g + b                      g [dOut] (optional), b [dOut] (optional)
 *
 * x̃ is the adapter path's input (x itself, or x after dropout). This is the
 * forward of LoRA (no R, no g), DoRA (g = m/‖W + s·BA‖), LoRA-XS (R) and EDoRA
 * (R and g). No dOut×dIn matrix is formed: the update runs through the rank-r
 * intermediate. Written as one op so that the GEMMs accumulate into shared
 * buffers (beta = 1) and the elementwise work is two fused passes
 * (columnScaleBias forward, columnScaleBiasBackward backward) instead of a
 * chain of broadcasts, each a full pass over [N, dOut].
 *
 * g is an input like any other: its gradient is Σ_i dy[i,·]·z[i,·] (DoRA's
 * magnitude m reaches it through g = m / norm with the norm detached).
 */
import { kernelsFor } from '../../backend/index.js';
import type { FloatArray } from '../../backend/kernels.js';
import { releaseFloat } from '../../tensor/pool.js';
import { formatShape, type Tensor } from '../../tensor/tensor.js';
import { needsGrad, record } from '../tape.js';
import { alloc, assertSameDtype, assertTensor, contig, fromArray, gemmDense } from './util.js';

export interface LowRankLinearInputs {
  x: Tensor;
  /** Input of the adapter path (default x). */
  xAdapter?: Tensor;
  weight: Tensor;
  bias?: Tensor | null;
  a: Tensor;
  r?: Tensor | null;
  b: Tensor;
  scaling: number;
  /** Per-output scale g [dOut]. */
  scale?: Tensor | null;
}

function expectShape(name: string, t: Tensor, shape: number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(
      `lowRankLinear: ${name} has shape ${formatShape(t.shape)}, expected ${formatShape(shape)}`,
    );
  }
}

export function lowRankLinear(inputs: LowRankLinearInputs): Tensor {
  const { x, weight, a, b, scaling: s } = inputs;
  const xa = inputs.xAdapter ?? x;
  const bias = inputs.bias ?? null;
  const r = inputs.r ?? null;
  const g = inputs.scale ?? null;
  for (const [name, t] of [
    ['x', x],
    ['xAdapter', xa],
    ['weight', weight],
    ['a', a],
    ['b', b],
  ] as const) {
    assertTensor('lowRankLinear', t, name);
    assertSameDtype('lowRankLinear', x, t);
  }
  if (weight.ndim !== 2)
    throw new Error(`lowRankLinear: weight must be [dOut, dIn], got ${formatShape(weight.shape)}`);
  const [dOut, dIn] = weight.shape as [number, number];
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== dIn) {
    throw new Error(
      `lowRankLinear: input ${formatShape(x.shape)} does not match weight ${formatShape(weight.shape)}`,
    );
  }
  if (xa.shape.join() !== x.shape.join())
    throw new Error(
      `lowRankLinear: xAdapter ${formatShape(xa.shape)} differs from x ${formatShape(x.shape)}`,
    );
  const rank = a.shape[0]!;
  expectShape('a', a, [rank, dIn]);
  expectShape('b', b, [dOut, rank]);
  if (r) expectShape('r', r, [rank, rank]);
  if (bias) expectShape('bias', bias, [dOut]);
  if (g) expectShape('scale', g, [dOut]);

  const rows = x.size / dIn;
  const outShape = [...x.shape.slice(0, -1), dOut];
  const dtype = x.dtype;
  const xd = contig(x);
  const xad = xa === x ? xd : contig(xa);
  const wd = contig(weight);
  const ad = contig(a);
  const bd = contig(b);
  const rd = r ? contig(r) : null;
  const gd = g ? contig(g) : null;
  const biasd = bias ? contig(bias) : null;
  const k = kernelsFor(xd);

  // u = x̃·Aᵀ [rows, r];  v = u·Rᵀ (or u)
  const u = alloc(dtype, [rows, rank]);
  gemmDense(k, false, true, rows, rank, dIn, 1, xad, ad, 0, u);
  let v = u;
  if (rd) {
    v = alloc(dtype, [rows, rank]);
    gemmDense(k, false, true, rows, rank, rank, 1, u, rd, 0, v);
  }
  // z = x·Wᵀ + s·v·Bᵀ  (the second GEMM accumulates into the first's output)
  const z = alloc(dtype, outShape);
  if (g === null && biasd) k.copyStrided([rows, dOut], biasd, 0, [0, 1], z);
  gemmDense(k, false, true, rows, dOut, dIn, 1, xd, wd, g === null && biasd ? 1 : 0, z);
  gemmDense(k, false, true, rows, dOut, rank, s, v, bd, 1, z);
  // y = z ⊙ g + b. Without g, z already holds y (the bias was written first).
  let y = z;
  if (gd) {
    y = alloc(dtype, outShape);
    k.columnScaleBias(z, gd, biasd, y, rows, dOut);
  }
  const out = fromArray(y, outShape);
  const all = [
    x,
    weight,
    a,
    b,
    ...(xa !== x ? [xa] : []),
    ...(r ? [r] : []),
    ...(g ? [g] : []),
    ...(bias ? [bias] : []),
  ];
  if (!needsGrad(all)) return out;

  return record(out, 'lowRankLinear', all, (dy, retain) => {
    const kk = kernelsFor(dy);
    // dz = dy ⊙ g, and the column sums for g and the bias, in one pass.
    let dz: FloatArray = dy;
    const dg = g?.requiresGrad ? alloc(dtype, [dOut], true) : null;
    const dbias = bias?.requiresGrad ? alloc(dtype, [dOut], true) : null;
    if (gd) {
      dz = alloc(dtype, outShape);
      kk.columnScaleBiasBackward(dy, z, gd, dz, dg, dbias, rows, dOut);
    } else if (dbias) {
      kk.columnScaleBiasBackward(dy, z, null, null, null, dbias, rows, dOut);
    }
    const wantA = a.requiresGrad;
    const wantB = b.requiresGrad;
    const wantR = r?.requiresGrad ?? false;
    const wantX = x.requiresGrad;
    const wantXa = xa !== x && xa.requiresGrad;
    // t = dz·B [rows, r]: the gradient reaching v, divided by s.
    let t: FloatArray | null = null;
    if (wantA || wantR || wantX || wantXa) {
      t = alloc(dtype, [rows, rank]);
      gemmDense(kk, false, false, rows, rank, dOut, 1, dz, bd, 0, t);
    }
    // w = t·R: the gradient reaching u, divided by s.
    let w = t;
    if (t && rd && (wantA || wantX || wantXa)) {
      w = alloc(dtype, [rows, rank]);
      gemmDense(kk, false, false, rows, rank, rank, 1, t, rd, 0, w);
    }
    let dB: FloatArray | null = null;
    if (wantB) {
      // dB = s·dzᵀ·v  [dOut, r]
      dB = alloc(dtype, [dOut, rank]);
      gemmDense(kk, true, false, dOut, rank, rows, s, dz, v, 0, dB);
    }
    let dR: FloatArray | null = null;
    if (wantR) {
      // dR = s·tᵀ·u  [r, r]
      dR = alloc(dtype, [rank, rank]);
      gemmDense(kk, true, false, rank, rank, rows, s, t!, u, 0, dR);
    }
    let dA: FloatArray | null = null;
    if (wantA) {
      // dA = s·wᵀ·x̃  [r, dIn]
      dA = alloc(dtype, [rank, dIn]);
      gemmDense(kk, true, false, rank, dIn, rows, s, w!, xad, 0, dA);
    }
    let dW: FloatArray | null = null;
    if (weight.requiresGrad) {
      dW = alloc(dtype, [dOut, dIn]);
      gemmDense(kk, true, false, dOut, dIn, rows, 1, dz, xd, 0, dW);
    }
    // dx = dz·W (+ s·w·A when the adapter path reads x itself), one buffer.
    let dx: FloatArray | null = null;
    if (wantX) {
      dx = alloc(dtype, x.shape);
      gemmDense(kk, false, false, rows, dIn, dOut, 1, dz, wd, 0, dx);
      if (xa === x) gemmDense(kk, false, false, rows, dIn, rank, s, w!, ad, 1, dx);
    }
    let dxa: FloatArray | null = null;
    if (wantXa) {
      dxa = alloc(dtype, xa.shape);
      gemmDense(kk, false, false, rows, dIn, rank, s, w!, ad, 0, dxa);
    }
    // Private scratch is dead now; the saved forward buffers too unless the graph is kept.
    if (dz !== dy) releaseFloat(dz);
    if (w !== t) releaseFloat(w);
    releaseFloat(t);
    if (!retain) {
      if (y !== z) releaseFloat(z);
      if (v !== u) releaseFloat(v);
      releaseFloat(u);
    }
    return [
      dx,
      dW,
      dA,
      dB,
      ...(xa !== x ? [dxa] : []),
      ...(r ? [dR] : []),
      ...(g ? [dg] : []),
      ...(bias ? [dbias] : []),
    ];
  });
}
