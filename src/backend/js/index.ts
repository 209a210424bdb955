/**
 * The `js` backend: plain TypeScript kernels, the reference every other
 * backend is checked against. Arithmetic is done in float64 and rounded on
 * store, so float32 results are at least as accurate as the native ones.
 */
import { cpus } from 'node:os';
import type { BinaryOp, FloatArray, KernelInfo, Kernels, UnaryOp } from '../kernels.js';
import { gemmFusedJs, gemmJs } from './gemm.js';
import { unaryBackwardJs, unaryJs } from './unary.js';

export const jsKernels: Kernels = {
  name: 'js',

  info(): KernelInfo {
    return {
      backend: 'js',
      gemm: 'js',
      blasLibrary: null,
      threads: 1,
      cores: cpus().length,
      simd: 'none',
    };
  },

  gemm: gemmJs,
  gemmFused: gemmFusedJs,
  unary: unaryJs,
  unaryBackward: unaryBackwardJs,

  binary(op, shape, a, aOff, aStrides, b, bOff, bStrides, out) {
    const f = BINARY_FNS[op];
    forEachStrided2(shape, aOff, aStrides, bOff, bStrides, (o, ia, ib) => {
      out[o] = f(a[ia]!, b[ib]!);
    });
  },

  copyStrided(shape, x, xOff, xStrides, out) {
    forEachStrided2(
      shape,
      xOff,
      xStrides,
      0,
      shape.map(() => 0),
      (o, ix) => {
        out[o] = x[ix]!;
      },
    );
  },

  softmax(x, out, rows, cols, scale, mask, rowsPerMask, log) {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      const mBase = mask ? Math.floor(r / rowsPerMask) * cols : 0;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < cols; j++) {
        if (mask && mask[mBase + j] === 0) continue;
        const v = scale * x[base + j]!;
        if (v > max) max = v;
      }
      if (max === Number.NEGATIVE_INFINITY) {
        // Every entry masked (or −∞): no probability mass anywhere.
        for (let j = 0; j < cols; j++) out[base + j] = log ? Number.NEGATIVE_INFINITY : 0;
        continue;
      }
      let sum = 0;
      for (let j = 0; j < cols; j++) {
        if (mask && mask[mBase + j] === 0) continue;
        sum += Math.exp(scale * x[base + j]! - max);
      }
      const logSum = Math.log(sum);
      for (let j = 0; j < cols; j++) {
        if (mask && mask[mBase + j] === 0) {
          out[base + j] = log ? Number.NEGATIVE_INFINITY : 0;
        } else {
          const z = scale * x[base + j]! - max;
          out[base + j] = log ? z - logSum : Math.exp(z) / sum;
        }
      }
    }
  },

  softmaxBackward(y, dy, dx, rows, cols, scale, log, accumulate) {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      let dot = 0;
      if (log) {
        for (let j = 0; j < cols; j++)
          if (y[base + j] !== Number.NEGATIVE_INFINITY) dot += dy[base + j]!;
      } else {
        for (let j = 0; j < cols; j++) dot += dy[base + j]! * y[base + j]!;
      }
      for (let j = 0; j < cols; j++) {
        const yj = y[base + j]!;
        let g: number;
        if (log)
          g = yj === Number.NEGATIVE_INFINITY ? 0 : scale * (dy[base + j]! - Math.exp(yj) * dot);
        else g = scale * yj * (dy[base + j]! - dot);
        dx[base + j] = accumulate ? dx[base + j]! + g : g;
      }
    }
  },

  layerNorm(x, gamma, beta, out, mean, rstd, rows, cols, eps) {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      let s = 0;
      for (let j = 0; j < cols; j++) s += x[base + j]!;
      const mu = s / cols;
      let v = 0;
      for (let j = 0; j < cols; j++) {
        const d = x[base + j]! - mu;
        v += d * d;
      }
      const rs = 1 / Math.sqrt(v / cols + eps);
      mean[r] = mu;
      rstd[r] = rs;
      for (let j = 0; j < cols; j++) {
        const xhat = (x[base + j]! - mu) * rs;
        out[base + j] = xhat * (gamma ? gamma[j]! : 1) + (beta ? beta[j]! : 0);
      }
    }
  },

  layerNormBackward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      const mu = mean[r]!;
      const rs = rstd[r]!;
      let sumG = 0;
      let sumGX = 0;
      for (let j = 0; j < cols; j++) {
        const xhat = (x[base + j]! - mu) * rs;
        const g = dy[base + j]! * (gamma ? gamma[j]! : 1);
        sumG += g;
        sumGX += g * xhat;
        if (dgamma) dgamma[j] = dgamma[j]! + dy[base + j]! * xhat;
        if (dbeta) dbeta[j] = dbeta[j]! + dy[base + j]!;
      }
      if (dx) {
        const mG = sumG / cols;
        const mGX = sumGX / cols;
        for (let j = 0; j < cols; j++) {
          const xhat = (x[base + j]! - mu) * rs;
          const g = dy[base + j]! * (gamma ? gamma[j]! : 1);
          dx[base + j] = dx[base + j]! + rs * (g - mG - xhat * mGX);
        }
      }
    }
  },

  columnScaleBias(z, g, b, y, rows, cols) {
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      for (let j = 0; j < cols; j++) y[base + j] = z[base + j]! * (g ? g[j]! : 1) + (b ? b[j]! : 0);
    }
  },

  columnScaleBiasBackward(dy, z, g, dz, dg, db, rows, cols) {
    const sg = dg ? new Float64Array(cols) : null;
    const sb = db ? new Float64Array(cols) : null;
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      for (let j = 0; j < cols; j++) {
        const d = dy[base + j]!;
        if (dz) dz[base + j] = d * (g ? g[j]! : 1);
        if (sg) sg[j]! += d * z[base + j]!;
        if (sb) sb[j]! += d;
      }
    }
    for (let j = 0; j < cols; j++) {
      if (dg && sg) dg[j] = dg[j]! + sg[j]!;
      if (db && sb) db[j] = db[j]! + sb[j]!;
    }
  },

  reduceSum(x, out, outer, n, inner) {
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += x[(o * n + j) * inner + i]!;
        out[o * inner + i] = s;
      }
    }
  },

  reduceMax(x, out, argmax, outer, n, inner) {
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let best = Number.NEGATIVE_INFINITY;
        let arg = 0;
        for (let j = 0; j < n; j++) {
          const v = x[(o * n + j) * inner + i]!;
          if (j === 0 || v > best) {
            best = v;
            arg = j;
          }
        }
        out[o * inner + i] = best;
        argmax[o * inner + i] = arg;
      }
    }
  },
};

const BINARY_FNS: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

/**
 * Visit every element of `shape` in row-major order, calling f(outIndex,
 * aIndex, bIndex) with the strided positions in two operands.
 */
export function forEachStrided2(
  shape: readonly number[],
  aOff: number,
  aStrides: readonly number[],
  bOff: number,
  bStrides: readonly number[],
  f: (o: number, ia: number, ib: number) => void,
): void {
  const nd = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  const idx = new Array<number>(nd).fill(0);
  const last = nd - 1;
  const inner = shape[last]!;
  const sa = aStrides[last]!;
  const sb = bStrides[last]!;
  let ia = aOff;
  let ib = bOff;
  for (let o = 0; o < total; o += inner) {
    for (let j = 0; j < inner; j++) f(o + j, ia + j * sa, ib + j * sb);
    // Advance the outer multi-index (all but the last dimension).
    for (let d = last - 1; d >= 0; d--) {
      idx[d]!++;
      ia += aStrides[d]!;
      ib += bStrides[d]!;
      if (idx[d]! < shape[d]!) break;
      ia -= idx[d]! * aStrides[d]!;
      ib -= idx[d]! * bStrides[d]!;
      idx[d] = 0;
    }
  }
}

export type { FloatArray, UnaryOp };
