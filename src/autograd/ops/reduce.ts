/** Reductions over axes: sum, mean, max. */
import { kernelsFor } from '../../backend/index.js';
import { formatShape, sizeOf, type Tensor } from '../../tensor/tensor.js';
import { needsGrad, record } from '../tape.js';
import { mul } from './elementwise.js';
import { permute, reshape } from './shape.js';
import { alloc, assertTensor, contig, fromArray, normAxis } from './util.js';

export interface ReduceOptions {
  /** Keep reduced dimensions with size 1 (default false). */
  keepDims?: boolean;
}

type Axes = number | readonly number[] | undefined;

/** Sorted, unique, non-negative axes; all axes when undefined. */
function normAxes(op: string, axes: Axes, ndim: number): number[] {
  if (axes === undefined) return [...Array(ndim).keys()];
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const norm = list.map((a) => normAxis(op, a, ndim));
  if (new Set(norm).size !== norm.length)
    throw new Error(`${op}: repeated axis in ${formatShape(list)}`);
  return norm.sort((a, b) => a - b);
}

function reducedShape(shape: readonly number[], axes: number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/**
 * Reduce x over `axes`. When the axes are not one consecutive run, they are
 * first moved to the end (a recorded permute), so each kernel call sees x as
 * [outer, n, inner].
 */
function reduce(op: 'sum' | 'max', x: Tensor, axes: Axes, keepDims: boolean): Tensor {
  assertTensor(op, x, 'the input');
  const ax = normAxes(op, axes, x.ndim);
  const outShape = reducedShape(x.shape, ax, keepDims);
  if (ax.length === 0) return reshape(x, outShape);
  const consecutive = ax[ax.length - 1]! - ax[0]! === ax.length - 1;
  if (!consecutive) {
    const rest = [...Array(x.ndim).keys()].filter((i) => !ax.includes(i));
    const moved = permute(x, [...rest, ...ax]);
    const r = reduce(
      op,
      moved,
      ax.map((_, i) => rest.length + i),
      false,
    );
    return reshape(r, outShape);
  }
  if (op === 'max' && ax.some((a) => x.shape[a] === 0)) {
    throw new Error(`max: cannot reduce over an empty dimension of ${formatShape(x.shape)}`);
  }
  const outer = sizeOf(x.shape.slice(0, ax[0]!));
  const n = sizeOf(ax.map((a) => x.shape[a]!));
  const inner = sizeOf(x.shape.slice(ax[ax.length - 1]! + 1));
  const xd = contig(x);
  const k = kernelsFor(xd);
  const out = alloc(x.dtype, outShape);
  if (op === 'sum') {
    k.reduceSum(xd, out, outer, n, inner);
    const y = fromArray(out, outShape);
    if (!needsGrad([x])) return y;
    return record(y, 'sum', [x], (g) => {
      const dx = alloc(x.dtype, x.shape);
      // Broadcast g [outer, 1, inner] back over n.
      kernelsFor(g).copyStrided([outer, n, inner], g, 0, [inner, 0, 1], dx);
      return [dx];
    });
  }
  const argmax = new Int32Array(outer * inner);
  k.reduceMax(xd, out, argmax, outer, n, inner);
  const y = fromArray(out, outShape);
  if (!needsGrad([x])) return y;
  return record(y, 'max', [x], (g) => {
    const dx = alloc(x.dtype, x.shape, true);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = o * inner + i;
        dx[(o * n + argmax[at]!) * inner + i] = g[at]!;
      }
    }
    return [dx];
  });
}

export function sum(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduce('sum', x, axes, options.keepDims ?? false);
}

export function mean(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  assertTensor('mean', x, 'the input');
  const ax = normAxes('mean', axes, x.ndim);
  const n = sizeOf(ax.map((a) => x.shape[a]!));
  return mul(sum(x, ax, options), 1 / n);
}

/** Maximum over axes; the gradient goes to the first maximal element. */
export function max(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduce('max', x, axes, options.keepDims ?? false);
}
