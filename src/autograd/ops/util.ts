/** Shared helpers for op implementations: argument checks, contiguous data, broadcasting. */
import { kernelsFor } from '../../backend/index.js';
import { type FloatArray, type Kernels, MAX_DIMS } from '../../backend/kernels.js';
import { allocFloat, type DType, formatShape, sizeOf, Tensor } from '../../tensor/tensor.js';

export { formatShape };

/** Throw unless x is a Tensor; names the op and the argument. */
export function assertTensor(op: string, x: unknown, arg: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    const got = x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x;
    throw new TypeError(`${op}: expected a Tensor for ${arg}, got ${got}`);
  }
}

export function assertSameDtype(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new TypeError(
      `${op}: dtypes differ: ${a.dtype} ${formatShape(a.shape)} and ${b.dtype} ${formatShape(b.shape)}`,
    );
  }
}

export function assertRank(op: string, x: Tensor, min: number, what = 'input'): void {
  if (x.ndim < min || x.ndim > MAX_DIMS) {
    throw new Error(
      `${op}: ${what} of shape ${formatShape(x.shape)} must have between ${min} and ${MAX_DIMS} dimensions`,
    );
  }
}

/** Normalise a possibly negative axis for a tensor of rank `ndim`. */
export function normAxis(op: string, axis: number, ndim: number): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${ndim}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/**
 * The elements of t in row-major order as a flat array: t's own storage when
 * already contiguous (a zero-copy subarray), a fresh copy otherwise.
 */
export function contig(t: Tensor): FloatArray {
  const n = t.size;
  if (t.isContiguous()) {
    if (t.offset === 0 && t.data.length === n) return t.data;
    return t.data.subarray(t.offset, t.offset + n);
  }
  const out = allocFloat(t.dtype, n, false);
  kernelsFor(t.data).copyStrided(t.shape, t.data, t.offset, t.strides, out);
  return out;
}

/** A fresh tensor over a contiguous array. */
export function fromArray(data: FloatArray, shape: readonly number[]): Tensor {
  return new Tensor(data, shape);
}

export function alloc(dtype: DType, shape: readonly number[], zero = false): FloatArray {
  return allocFloat(dtype, sizeOf(shape), zero);
}

/** NumPy broadcasting of two shapes; throws naming the op and both shapes. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast (dimension ${i}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read tensor t as if it had the (broadcast) shape `shape`: 0 along broadcast dims. */
export function broadcastStrides(t: Tensor, shape: readonly number[]): number[] {
  const n = shape.length;
  const s = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const j = t.ndim - n + i;
    s[i] = j < 0 || t.shape[j] === 1 ? 0 : t.strides[j]!;
  }
  return s;
}

/**
 * Sum a contiguous gradient of shape `from` down to shape `to` (the inverse of
 * broadcasting): leading dims are summed away, dims of size 1 in `to` summed.
 */
export function sumToShape(
  g: FloatArray,
  from: readonly number[],
  to: readonly number[],
): FloatArray {
  if (from.length === to.length && from.every((d, i) => d === to[i])) return g;
  const k = kernelsFor(g);
  let cur = g;
  // Work on `from`, padded shape of `to`; reduce each broadcast axis in turn.
  const shape = [...from];
  const target = [...new Array<number>(from.length - to.length).fill(1), ...to];
  for (let axis = 0; axis < shape.length; axis++) {
    if (target[axis] === 1 && shape[axis] !== 1) {
      const outer = sizeOf(shape.slice(0, axis));
      const n = shape[axis]!;
      const inner = sizeOf(shape.slice(axis + 1));
      const next = allocFloat(
        g instanceof Float64Array ? 'float64' : 'float32',
        outer * inner,
        false,
      );
      k.reduceSum(cur, next, outer, n, inner);
      cur = next;
      shape[axis] = 1;
    }
  }
  return cur;
}

/** Shape with 0-d tensors treated as [1] for kernels that need at least one dimension. */
export function kernelShape(shape: readonly number[]): readonly number[] {
  return shape.length === 0 ? [1] : shape;
}

export function kernelStrides(t: Tensor): readonly number[] {
  return t.ndim === 0 ? [1] : t.strides;
}

/**
 * C[m×n] = alpha·op(A)·op(B) + beta·C for dense row-major matrices (no
 * offsets, no padding, no batch): the leading dimensions follow from the shapes.
 */
export function gemmDense(
  k: Kernels,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  kDim: number,
  alpha: number,
  a: FloatArray,
  b: FloatArray,
  beta: number,
  c: FloatArray,
): void {
  k.gemm(
    transA,
    transB,
    m,
    n,
    kDim,
    alpha,
    a,
    0,
    transA ? m : kDim,
    0,
    b,
    0,
    transB ? kDim : n,
    0,
    beta,
    c,
    0,
    n,
    0,
    1,
  );
}
