/** Inverted dropout with a seeded mask. */
import type { Random } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { needsGrad, record } from '../tape.js';
import { alloc, assertTensor, contig, fromArray } from './util.js';

/**
 * Zero each element with probability p and scale the rest by 1/(1−p). The
 * mask comes from `rng`, so a seed gives the same mask on every backend.
 * Identity when `training` is false or p = 0.
 */
export function dropout(x: Tensor, p: number, rng: Random, training = true): Tensor {
  assertTensor('dropout', x, 'the input');
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const xd = contig(x);
  const keep = 1 - p;
  const scale = 1 / keep;
  const mask = alloc(x.dtype, x.shape);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < keep ? scale : 0;
  const out = alloc(x.dtype, x.shape);
  for (let i = 0; i < out.length; i++) out[i] = xd[i]! * mask[i]!;
  const y = fromArray(out, x.shape);
  if (!needsGrad([x])) return y;
  return record(y, 'dropout', [x], (g) => {
    const dx = alloc(x.dtype, x.shape);
    for (let i = 0; i < dx.length; i++) dx[i] = g[i]! * mask[i]!;
    return [dx];
  });
}
