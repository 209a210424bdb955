/** Embedding lookup (gather rows) with a scatter-add backward. */
import { formatShape, sizeOf, type Tensor } from '../../tensor/tensor.js';
import { needsGrad, record } from '../tape.js';
import { alloc, assertTensor, contig, fromArray } from './util.js';

/** Rows of weight [vocab, dim] for each id; the result has shape [...idsShape, dim]. */
export function embedding(
  weight: Tensor,
  ids: Int32Array,
  idsShape: readonly number[] = [ids.length],
): Tensor {
  assertTensor('embedding', weight, 'the weight');
  if (!(ids instanceof Int32Array)) throw new TypeError('embedding: ids must be an Int32Array');
  if (weight.ndim !== 2)
    throw new Error(`embedding: weight must be 2-D [vocab, dim], got ${formatShape(weight.shape)}`);
  if (sizeOf(idsShape) !== ids.length) {
    throw new Error(
      `embedding: ids shape ${formatShape(idsShape)} needs ${sizeOf(idsShape)} ids, got ${ids.length}`,
    );
  }
  const [vocab, dim] = weight.shape as [number, number];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id < 0 || id >= vocab) {
      throw new Error(
        `embedding: id ${id} at position ${i} is outside the vocabulary of ${vocab} rows`,
      );
    }
  }
  const wd = contig(weight);
  const shape = [...idsShape, dim];
  const out = alloc(weight.dtype, shape);
  for (let i = 0; i < ids.length; i++)
    out.set(wd.subarray(ids[i]! * dim, (ids[i]! + 1) * dim), i * dim);
  const y = fromArray(out, shape);
  if (!needsGrad([weight])) return y;
  const saved = ids.slice();
  return record(y, 'embedding', [weight], (g) => {
    const dw = alloc(weight.dtype, weight.shape, true);
    for (let i = 0; i < saved.length; i++) {
      const row = saved[i]! * dim;
      for (let j = 0; j < dim; j++) dw[row + j] = dw[row + j]! + g[i * dim + j]!;
    }
    return [dw];
  });
}
