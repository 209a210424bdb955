/** Row-wise L2 norm, the ‖·‖_row of DoRA and EDoRA. */
import { kernelsFor } from '../../backend/index.js';
import { formatShape, type Tensor } from '../../tensor/tensor.js';
import { needsGrad, record } from '../tape.js';
import { alloc, assertTensor, contig, fromArray } from './util.js';

/**
 * ‖x‖ over the last axis: x [..., d] → [...]. The gradient is g·x/‖x‖, and 0
 * for a row whose norm is 0. DoRA treats this norm as a constant in backward:
 * wrap it in `detach` for that.
 */
export function rowNorm(x: Tensor): Tensor {
  assertTensor('rowNorm', x, 'the input');
  if (x.ndim < 1)
    throw new Error(`rowNorm: input must have at least 1 dimension, got ${formatShape(x.shape)}`);
  const cols = x.shape[x.ndim - 1]!;
  const rows = cols === 0 ? 0 : x.size / cols;
  const xd = contig(x);
  const k = kernelsFor(xd);
  const sq = alloc(x.dtype, x.shape);
  k.unary('square', xd, sq, 0);
  const outShape = x.shape.slice(0, -1);
  const out = alloc(x.dtype, outShape);
  k.reduceSum(sq, out, rows, cols, 1);
  k.unary('sqrt', out, out, 0);
  const y = fromArray(out, outShape);
  if (!needsGrad([x])) return y;
  return record(y, 'rowNorm', [x], (g) => {
    const dx = alloc(x.dtype, x.shape);
    for (let r = 0; r < rows; r++) {
      const n = out[r]!;
      const f = n > 0 ? g[r]! / n : 0;
      for (let j = 0; j < cols; j++) dx[r * cols + j] = f * xd[r * cols + j]!;
    }
    return [dx];
  });
}
