/**
 * Shape ops. reshape (of contiguous data), permute/transpose and narrow/slice
 * are views over the same storage; concat and stack copy.
 */
import { kernelsFor } from '../../backend/index.js';
import type { FloatArray } from '../../backend/kernels.js';
import { contiguousStrides, formatShape, sizeOf, Tensor } from '../../tensor/tensor.js';
import { needsGrad, record } from '../tape.js';
import { alloc, assertSameDtype, assertTensor, contig, fromArray, normAxis } from './util.js';

/** Same values, new shape; one dimension may be −1 (inferred). A view when x is contiguous. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  assertTensor('reshape', x, 'the input');
  const resolved = resolveShape(x, shape);
  const y = x.isContiguous()
    ? new Tensor(x.data, resolved, contiguousStrides(resolved), x.offset)
    : fromArray(contig(x), resolved);
  return record(y, 'reshape', [x], (g) => [g]);
}

function resolveShape(x: Tensor, shape: readonly number[]): number[] {
  const out = [...shape];
  const unknown = out.indexOf(-1);
  if (out.lastIndexOf(-1) !== unknown) {
    throw new Error(`reshape: at most one dimension can be -1, got ${formatShape(shape)}`);
  }
  if (out.some((d, i) => i !== unknown && (!Number.isInteger(d) || d < 0))) {
    throw new Error(`reshape: invalid target shape ${formatShape(shape)}`);
  }
  if (unknown >= 0) {
    const known = sizeOf(out.filter((_, i) => i !== unknown));
    if (known === 0 || x.size % known !== 0) {
      throw new Error(
        `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`,
      );
    }
    out[unknown] = x.size / known;
  }
  if (sizeOf(out) !== x.size) {
    throw new Error(
      `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`,
    );
  }
  return out;
}

/** Reorder dimensions: y.shape[i] = x.shape[dims[i]]. A view. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  assertTensor('permute', x, 'the input');
  const nd = x.ndim;
  const norm = dims.map((d) => normAxis('permute', d, nd));
  if (norm.length !== nd || new Set(norm).size !== nd) {
    throw new Error(
      `permute: ${formatShape(dims)} is not a permutation of the ${nd} dimensions of ${formatShape(x.shape)}`,
    );
  }
  const y = new Tensor(
    x.data,
    norm.map((d) => x.shape[d]!),
    norm.map((d) => x.strides[d]!),
    x.offset,
  );
  if (!needsGrad([x])) return y;
  const inverse = new Array<number>(nd);
  norm.forEach((d, i) => {
    inverse[d] = i;
  });
  return record(y, 'permute', [x], (g) => {
    // g is contiguous in y's shape; read it through the inverse permutation.
    const gs = contiguousStrides(y.shape);
    const out = alloc(x.dtype, x.shape);
    if (x.size > 0)
      kernelsFor(g).copyStrided(
        x.shape,
        g,
        0,
        inverse.map((i) => gs[i]!),
        out,
      );
    return [out];
  });
}

/** Swap two dimensions (default: the last two). A view. */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  assertTensor('transpose', x, 'the input');
  const a = normAxis('transpose', dim0, x.ndim);
  const b = normAxis('transpose', dim1, x.ndim);
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

/** Elements start … start+length−1 along `axis`. A view. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  assertTensor('narrow', x, 'the input');
  const ax = normAxis('narrow', axis, x.ndim);
  const d = x.shape[ax]!;
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(length) ||
    start < 0 ||
    length < 0 ||
    start + length > d
  ) {
    throw new Error(
      `narrow: range [${start}, ${start + length}) is outside dimension ${ax} of size ${d} in ${formatShape(x.shape)}`,
    );
  }
  const shape = [...x.shape];
  shape[ax] = length;
  const y = new Tensor(x.data, shape, x.strides, x.offset + start * x.strides[ax]!);
  if (!needsGrad([x])) return y;
  return record(y, 'narrow', [x], (g) => {
    const out = alloc(x.dtype, x.shape, true);
    const outer = sizeOf(x.shape.slice(0, ax));
    const inner = sizeOf(x.shape.slice(ax + 1));
    for (let o = 0; o < outer; o++) {
      out.set(g.subarray(o * length * inner, (o + 1) * length * inner), (o * d + start) * inner);
    }
    return [out];
  });
}

/** Python-style slice along one axis: [start, end), negative indices count from the end. */
export function slice(x: Tensor, axis: number, start: number, end?: number): Tensor {
  assertTensor('slice', x, 'the input');
  const ax = normAxis('slice', axis, x.ndim);
  const d = x.shape[ax]!;
  const s = start < 0 ? Math.max(0, d + start) : Math.min(start, d);
  const eRaw = end ?? d;
  const e = eRaw < 0 ? Math.max(0, d + eRaw) : Math.min(eRaw, d);
  return narrow(x, ax, s, Math.max(0, e - s));
}

/** A contiguous copy (or x itself when already contiguous). */
export function contiguous(x: Tensor): Tensor {
  assertTensor('contiguous', x, 'the input');
  if (x.isContiguous()) return x;
  return record(fromArray(contig(x), x.shape), 'contiguous', [x], (g) => [g]);
}

/** Insert a dimension of size 1 at `axis`. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  assertTensor('unsqueeze', x, 'the input');
  const ax = normAxis('unsqueeze', axis, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(ax, 0, 1);
  return reshape(x, shape);
}

/** Join tensors along an existing axis. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new Error('concat: expected a non-empty array of tensors');
  const xs: readonly Tensor[] = tensors;
  xs.forEach((x, i) => {
    assertTensor('concat', x, `tensor ${i}`);
  });
  const first = xs[0]!;
  const ax = normAxis('concat', axis, first.ndim);
  for (const [i, x] of xs.entries()) {
    assertSameDtype('concat', first, x);
    if (x.ndim !== first.ndim || x.shape.some((d, j) => j !== ax && d !== first.shape[j])) {
      throw new Error(
        `concat: tensor ${i} of shape ${formatShape(x.shape)} does not match ${formatShape(first.shape)} outside axis ${ax}`,
      );
    }
  }
  const sizes = xs.map((x) => x.shape[ax]!);
  const total = sizes.reduce((s, v) => s + v, 0);
  const shape = [...first.shape];
  shape[ax] = total;
  const outer = sizeOf(first.shape.slice(0, ax));
  const inner = sizeOf(first.shape.slice(ax + 1));
  const out = alloc(first.dtype, shape);
  let at = 0;
  for (const [i, x] of xs.entries()) {
    const src = contig(x);
    const len = sizes[i]! * inner;
    for (let o = 0; o < outer; o++)
      out.set(src.subarray(o * len, (o + 1) * len), o * total * inner + at);
    at += len;
  }
  return record(fromArray(out, shape), 'concat', [...xs], (g) => {
    const grads: (FloatArray | null)[] = [];
    let from = 0;
    for (const [i, x] of xs.entries()) {
      const len = sizes[i]! * inner;
      if (x.requiresGrad) {
        const gi = alloc(x.dtype, x.shape);
        for (let o = 0; o < outer; o++)
          gi.set(g.subarray(o * total * inner + from, o * total * inner + from + len), o * len);
        grads.push(gi);
      } else {
        grads.push(null);
      }
      from += len;
    }
    return grads;
  });
}

/** Split along `axis` into pieces of the given sizes (or equal pieces of size `sizes`). Views. */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  assertTensor('split', x, 'the input');
  const ax = normAxis('split', axis, x.ndim);
  const d = x.shape[ax]!;
  let parts: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0)
      throw new Error(`split: piece size must be a positive integer, got ${sizes}`);
    parts = [];
    for (let s = 0; s < d; s += sizes) parts.push(Math.min(sizes, d - s));
  } else {
    parts = [...sizes];
    const sum = parts.reduce((s, v) => s + v, 0);
    if (sum !== d)
      throw new Error(
        `split: sizes ${formatShape(parts)} sum to ${sum}, but dimension ${ax} of ${formatShape(x.shape)} is ${d}`,
      );
  }
  const out: Tensor[] = [];
  let start = 0;
  for (const p of parts) {
    out.push(narrow(x, ax, start, p));
    start += p;
  }
  return out;
}

/** Join tensors of equal shape along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new Error('stack: expected a non-empty array of tensors');
  const xs: readonly Tensor[] = tensors;
  xs.forEach((x, i) => {
    assertTensor('stack', x, `tensor ${i}`);
  });
  const first = xs[0]!;
  for (const [i, x] of xs.entries()) {
    if (x.shape.join() !== first.shape.join()) {
      throw new Error(
        `stack: tensor ${i} of shape ${formatShape(x.shape)} differs from ${formatShape(first.shape)}`,
      );
    }
  }
  const ax = normAxis('stack', axis, first.ndim + 1);
  return concat(
    xs.map((x) => unsqueeze(x, ax)),
    ax,
  );
}

/** Same values, cut from the graph: gradients do not flow through (stop-gradient). */
export function detach(x: Tensor): Tensor {
  assertTensor('detach', x, 'the input');
  return new Tensor(x.data, x.shape, x.strides, x.offset);
}
