/**
 * Matrix products: matmul (batched, either side transposed) and linear
 * (x·Wᵀ + b with the bias fused into the GEMM).
 *
 * Transposed views are not copied: an operand whose last two dimensions are
 * stored column-major is handed to the GEMM with its transpose flag set.
 */
import { kernelsFor } from '../../backend/index.js';
import type { FloatArray } from '../../backend/kernels.js';
import { formatShape, sizeOf, type Tensor } from '../../tensor/tensor.js';
import { needsGrad, record } from '../tape.js';
import { transpose } from './shape.js';
import { alloc, assertSameDtype, assertTensor, contig, fromArray } from './util.js';

/** How a [.., rows, cols] operand is laid out for the GEMM. */
interface GemmOperand {
  data: FloatArray;
  offset: number;
  /** Stored transposed (column-major in the last two dims). */
  trans: boolean;
  ld: number;
  /** Stride between consecutive matrices of the (flattened) batch. */
  batchStride: number;
  batch: number;
}

/** Describe x (rank ≥ 2) for the GEMM without copying when its layout allows. */
function gemmOperand(x: Tensor): GemmOperand {
  const nd = x.ndim;
  const rows = x.shape[nd - 2]!;
  const cols = x.shape[nd - 1]!;
  const sr = x.strides[nd - 2]!;
  const sc = x.strides[nd - 1]!;
  const batchDims = x.shape.slice(0, nd - 2);
  const batch = sizeOf(batchDims);
  // The batch dims must flatten to one stride: stride[i] = stride[i+1]·shape[i+1]
  // over the dims of size > 1.
  const dims = batchDims.map((d, i) => ({ d, s: x.strides[i]! })).filter((e) => e.d !== 1);
  let flat = true;
  for (let i = 0; i + 1 < dims.length; i++) {
    if (dims[i]!.s !== dims[i + 1]!.s * dims[i + 1]!.d) flat = false;
  }
  const batchStride = dims.length > 0 ? dims[dims.length - 1]!.s : rows * cols;
  const rowMajor = sc === 1 && (sr >= cols || rows === 1);
  const colMajor = !rowMajor && sr === 1 && (sc >= rows || cols === 1);
  if (flat && (rowMajor || colMajor) && rows > 0 && cols > 0) {
    return {
      data: x.data,
      offset: x.offset,
      trans: colMajor,
      ld: colMajor ? Math.max(sc, 1) : Math.max(sr, 1),
      batchStride,
      batch,
    };
  }
  return {
    data: contig(x),
    offset: 0,
    trans: false,
    ld: Math.max(cols, 1),
    batchStride: rows * cols,
    batch,
  };
}

export interface MatmulOptions {
  /** Use aᵀ (its last two dimensions swapped). */
  transA?: boolean;
  /** Use bᵀ (its last two dimensions swapped). */
  transB?: boolean;
}

/**
 * Matrix product over the last two dimensions: a [..., M, K] · b [..., K, N].
 * Batch dimensions must be equal, or one side may have none (it is shared by
 * every matrix of the other side).
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  assertTensor('matmul', a, 'the first operand');
  assertTensor('matmul', b, 'the second operand');
  if (a.ndim < 2 || b.ndim < 2) {
    throw new Error(
      `matmul: both operands need at least 2 dimensions, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const aa = options.transA ? transpose(a) : a;
  const bb = options.transB ? transpose(b) : b;
  return matmulCore(aa, bb);
}

function matmulCore(a: Tensor, b: Tensor): Tensor {
  assertSameDtype('matmul', a, b);
  const M = a.shape[a.ndim - 2]!;
  const K = a.shape[a.ndim - 1]!;
  const K2 = b.shape[b.ndim - 2]!;
  const N = b.shape[b.ndim - 1]!;
  if (K !== K2) {
    throw new Error(
      `matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not match (inner dimensions ${K} ≠ ${K2})`,
    );
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const sameBatch = aBatch.length === bBatch.length && aBatch.every((d, i) => d === bBatch[i]);
  if (!sameBatch && aBatch.length > 0 && bBatch.length > 0) {
    throw new Error(
      `matmul: batch dimensions of ${formatShape(a.shape)} and ${formatShape(b.shape)} differ (they must be equal, or one side has none)`,
    );
  }
  const batchShape = aBatch.length > 0 ? aBatch : bBatch;
  const batch = sizeOf(batchShape);
  const outShape = [...batchShape, M, N];
  const out = alloc(a.dtype, outShape);

  const A = gemmOperand(a);
  const B = gemmOperand(b);
  const k = kernelsFor(a.data);
  const sA = aBatch.length > 0 ? A.batchStride : 0;
  const sB = bBatch.length > 0 ? B.batchStride : 0;
  if (batch > 0 && M > 0 && N > 0) {
    if (sB === 0 && aBatch.length > 0 && !A.trans && A.batchStride === M * A.ld) {
      // Shared right operand and a stacked left one: one tall GEMM.
      k.gemm(
        false,
        B.trans,
        batch * M,
        N,
        K,
        1,
        A.data,
        A.offset,
        A.ld,
        0,
        B.data,
        B.offset,
        B.ld,
        0,
        0,
        out,
        0,
        N,
        0,
        1,
      );
    } else {
      k.gemm(
        A.trans,
        B.trans,
        M,
        N,
        K,
        1,
        A.data,
        A.offset,
        A.ld,
        sA,
        B.data,
        B.offset,
        B.ld,
        sB,
        0,
        out,
        0,
        N,
        M * N,
        batch,
      );
    }
  }
  const y = fromArray(out, outShape);
  if (!needsGrad([a, b])) return y;

  return record(y, 'matmul', [a, b], (g) => {
    const kk = kernelsFor(g);
    let ga: FloatArray | null = null;
    let gb: FloatArray | null = null;
    if (a.requiresGrad) {
      // dA[M,K] = g[M,N] · Bᵀ   (B shared across the batch: sB = 0)
      ga = alloc(a.dtype, a.shape);
      if (aBatch.length > 0) {
        kk.gemm(
          false,
          !B.trans,
          M,
          K,
          N,
          1,
          g,
          0,
          N,
          M * N,
          B.data,
          B.offset,
          B.ld,
          sB,
          0,
          ga,
          0,
          K,
          M * K,
          batch,
        );
      } else {
        // a is shared by every batch entry: sum the batch's contributions.
        for (let t = 0; t < batch; t++) {
          kk.gemm(
            false,
            !B.trans,
            M,
            K,
            N,
            1,
            g,
            t * M * N,
            N,
            0,
            B.data,
            B.offset + t * sB,
            B.ld,
            0,
            t === 0 ? 0 : 1,
            ga,
            0,
            K,
            0,
            1,
          );
        }
        if (batch === 0) ga.fill(0);
      }
    }
    if (b.requiresGrad) {
      // dB[K,N] = Aᵀ · g[M,N]
      gb = alloc(b.dtype, b.shape);
      if (bBatch.length > 0) {
        kk.gemm(
          !A.trans,
          false,
          K,
          N,
          M,
          1,
          A.data,
          A.offset,
          A.ld,
          sA,
          g,
          0,
          N,
          M * N,
          0,
          gb,
          0,
          N,
          K * N,
          batch,
        );
      } else if (aBatch.length > 0 && !A.trans && A.batchStride === M * A.ld) {
        kk.gemm(
          true,
          false,
          K,
          N,
          batch * M,
          1,
          A.data,
          A.offset,
          A.ld,
          0,
          g,
          0,
          N,
          0,
          0,
          gb,
          0,
          N,
          0,
          1,
        );
      } else {
        for (let t = 0; t < batch; t++) {
          kk.gemm(
            !A.trans,
            false,
            K,
            N,
            M,
            1,
            A.data,
            A.offset + t * sA,
            A.ld,
            0,
            g,
            t * M * N,
            N,
            0,
            t === 0 ? 0 : 1,
            gb,
            0,
            N,
            0,
            1,
          );
        }
        if (batch === 0) gb.fill(0);
      }
    }
    return [ga, gb];
  });
}

/**
 * y = x · Wᵀ + b, PyTorch's nn.Linear: x [..., in], weight [out, in], bias [out].
 * The bias is written into the output first and the GEMM adds onto it.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  assertTensor('linear', x, 'the input');
  assertTensor('linear', weight, 'the weight');
  if (bias !== undefined && bias !== null) assertTensor('linear', bias, 'the bias');
  assertSameDtype('linear', x, weight);
  if (weight.ndim !== 2)
    throw new Error(`linear: weight must be 2-D [out, in], got ${formatShape(weight.shape)}`);
  const [outF, inF] = weight.shape as [number, number];
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inF) {
    throw new Error(
      `linear: input ${formatShape(x.shape)} does not match weight ${formatShape(weight.shape)} (last input dimension must be ${inF})`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new Error(
      `linear: bias ${formatShape(bias.shape)} does not match weight ${formatShape(weight.shape)} (expected [${outF}])`,
    );
  }
  const rows = x.size / inF;
  const outShape = [...x.shape.slice(0, -1), outF];
  const xd = contig(x);
  const W = gemmOperand(weight);
  const k = kernelsFor(xd);
  const out = alloc(x.dtype, outShape, !bias && rows * outF < 16384);
  if (bias) {
    const bd = contig(bias);
    k.copyStrided([rows, outF], bd, 0, [0, 1], out);
  }
  // out[rows,out] (+)= x[rows,in] · Wᵀ   (W stored [out,in] row-major → transposed operand)
  if (rows > 0)
    k.gemm(
      false,
      !W.trans,
      rows,
      outF,
      inF,
      1,
      xd,
      0,
      inF,
      0,
      W.data,
      W.offset,
      W.ld,
      0,
      bias ? 1 : 0,
      out,
      0,
      outF,
      0,
      1,
    );
  const y = fromArray(out, outShape);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  if (!needsGrad(inputs)) return y;

  return record(y, 'linear', inputs, (g) => {
    const kk = kernelsFor(g);
    let gx: FloatArray | null = null;
    let gw: FloatArray | null = null;
    let gbias: FloatArray | null = null;
    if (x.requiresGrad) {
      // dX[rows,in] = g[rows,out] · W[out,in]
      gx = alloc(x.dtype, x.shape);
      kk.gemm(
        false,
        W.trans,
        rows,
        inF,
        outF,
        1,
        g,
        0,
        outF,
        0,
        W.data,
        W.offset,
        W.ld,
        0,
        0,
        gx,
        0,
        inF,
        0,
        1,
      );
    }
    if (weight.requiresGrad) {
      // dW[out,in] = gᵀ[out,rows] · X[rows,in]
      gw = alloc(weight.dtype, weight.shape);
      kk.gemm(true, false, outF, inF, rows, 1, g, 0, outF, 0, xd, 0, inF, 0, 0, gw, 0, inF, 0, 1);
    }
    if (bias?.requiresGrad) {
      gbias = alloc(bias.dtype, bias.shape);
      kk.reduceSum(g, gbias, 1, rows, outF);
    }
    return bias ? [gx, gw, gbias] : [gx, gw];
  });
}
