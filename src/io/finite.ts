/**
 * NaN and infinities stop at the file boundary: every float tensor read from
 * disk and every one about to be written is checked, and the first
 * non-finite value is an error naming the file, the tensor and the element
 * (the idea of PEFT's `safe_merge`, applied to every file). Without it a
 * diverged run saves an adapter that loads, predicts `null` and merges NaN
 * into a model.
 */
import { formatShape, type Tensor } from '../tensor/tensor.js';

/** Index of the first NaN or ±Infinity in `data`, or -1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v − v is 0 for every finite v and NaN for NaN and ±Infinity.
    if (v - v !== 0) return i;
  }
  return -1;
}

/** Row-major flat index → "[i,j,…]" for a tensor of `shape`. */
function position(index: number, shape: readonly number[]): string {
  const out: number[] = [];
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    out.unshift(rest % n);
    rest = Math.floor(rest / n);
  }
  return formatShape(out);
}

/**
 * Throw `<file>: tensor '<name>' holds NaN at [i,j] of shape [..]; <why>`
 * when `values` (row-major, of `shape`) has a non-finite element.
 */
export function checkFinite(
  file: string,
  name: string,
  values: ArrayLike<number>,
  shape: readonly number[],
  why: string,
): void {
  const i = firstNonFinite(values);
  if (i < 0) return;
  throw new Error(
    `${file}: tensor '${name}' holds ${values[i]} at ${position(i, shape)} of shape ${formatShape(shape)}; ${why}`,
  );
}

/** The tensor's values in row-major order, without a copy when it is contiguous. */
export function valuesOf(t: Tensor): ArrayLike<number> {
  return t.isContiguous() ? t.data.subarray(t.offset, t.offset + t.size) : t.toArray();
}
