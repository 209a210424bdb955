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
 * intermediate. Written as one op so that the big products are single fused
 * GEMMs (Kernels.gemmFused): forward, z = x·Wᵀ + s·v·Bᵀ with y = z ⊙ g + b
 * applied to each finished block of z; backward, dx = (dy ⊙ g)·W + s·w·A
 * with g applied while dy is packed. dz = dy ⊙ g is never stored: the
 * rank-r path uses B_g = diag(g)·B, and dB, dW take diag(g) on their small
 * outputs. The only extra passes over activations are x̃·Aᵀ, dy·B_g and the
 * column sums for g and the bias (and dA, dB where A and B train).
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
  // z = x·Wᵀ + s·v·Bᵀ and y = z ⊙ g + b, one fused product. Without g, y is
  // z itself (the bias added in place): nothing in backward needs z then.
  const z = alloc(dtype, outShape);
  const y = gd ? alloc(dtype, outShape) : z;
  k.gemmFused(
    rows,
    dOut,
    dIn,
    1,
    xd,
    null,
    wd,
    true,
    rank,
    s,
    v,
    bd,
    true,
    z,
    gd || biasd ? y : null,
    gd,
    biasd,
  );
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
    // dz = dy ⊙ g is never formed: g scales dy's columns inside the dx
    // product and is folded into B (B_g = diag(g)·B) for the rank-r path.
    const dg = g?.requiresGrad ? alloc(dtype, [dOut], true) : null;
    const dbias = bias?.requiresGrad ? alloc(dtype, [dOut], true) : null;
    if (dg || dbias) kk.columnScaleBiasBackward(dy, z, null, null, dg, dbias, rows, dOut);
    const bg = gd ? scaleRows(dtype, bd, gd, dOut, rank) : bd;
    const wantA = a.requiresGrad;
    const wantB = b.requiresGrad;
    const wantR = r?.requiresGrad ?? false;
    const wantX = x.requiresGrad;
    const wantXa = xa !== x && xa.requiresGrad;
    // t = dz·B = dy·B_g [rows, r]: the gradient reaching v, divided by s.
    let t: FloatArray | null = null;
    if (wantA || wantR || wantX || wantXa) {
      t = alloc(dtype, [rows, rank]);
      gemmDense(kk, false, false, rows, rank, dOut, 1, dy, bg, 0, t);
    }
    // w = t·R: the gradient reaching u, divided by s.
    let w = t;
    if (t && rd && (wantA || wantX || wantXa)) {
      w = alloc(dtype, [rows, rank]);
      gemmDense(kk, false, false, rows, rank, rank, 1, t, rd, 0, w);
    }
    let dB: FloatArray | null = null;
    if (wantB) {
      // dB = s·dzᵀ·v = diag(g)·(s·dyᵀ·v)  [dOut, r]
      dB = alloc(dtype, [dOut, rank]);
      gemmDense(kk, true, false, dOut, rank, rows, s, dy, v, 0, dB);
      if (gd) scaleRowsInPlace(dB, gd, dOut, rank);
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
      // dW = dzᵀ·x = diag(g)·(dyᵀ·x)  [dOut, dIn]
      dW = alloc(dtype, [dOut, dIn]);
      gemmDense(kk, true, false, dOut, dIn, rows, 1, dy, xd, 0, dW);
      if (gd) scaleRowsInPlace(dW, gd, dOut, dIn);
    }
    // dx = (dy ⊙ g)·W (+ s·w·A when the adapter path reads x itself), one fused product.
    let dx: FloatArray | null = null;
    if (wantX) {
      dx = alloc(dtype, x.shape);
      const viaA = xa === x;
      kk.gemmFused(
        rows,
        dIn,
        dOut,
        1,
        dy,
        gd,
        wd,
        false,
        viaA ? rank : 0,
        s,
        viaA ? w : null,
        viaA ? ad : null,
        false,
        dx,
        null,
        null,
        null,
      );
    }
    let dxa: FloatArray | null = null;
    if (wantXa) {
      dxa = alloc(dtype, xa.shape);
      gemmDense(kk, false, false, rows, dIn, rank, s, w!, ad, 0, dxa);
    }
    // Private scratch is dead now; the saved forward buffers too unless the graph is kept.
    if (w !== t) releaseFloat(w);
    releaseFloat(t);
    if (bg !== bd) releaseFloat(bg);
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

/** diag(g)·m for a row-major [rows, cols] matrix m, as a new buffer (small: rows × r). */
function scaleRows(
  dtype: Tensor['dtype'],
  m: FloatArray,
  g: FloatArray,
  rows: number,
  cols: number,
): FloatArray {
  const out = alloc(dtype, [rows, cols]);
  out.set(m.subarray(0, rows * cols));
  scaleRowsInPlace(out, g, rows, cols);
  return out;
}

function scaleRowsInPlace(m: FloatArray, g: FloatArray, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const gi = g[i]!;
    for (let j = 0; j < cols; j++) m[i * cols + j]! *= gi;
  }
}
