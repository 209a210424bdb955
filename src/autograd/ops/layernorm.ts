/** Layer normalisation over the last axis. */
import { kernelsFor } from '../../backend/index.js';
import { formatShape, type Tensor } from '../../tensor/tensor.js';
import { needsGrad, record } from '../tape.js';
import { alloc, assertSameDtype, assertTensor, contig, fromArray } from './util.js';

/** (x − mean)/√(var + eps) · gamma + beta over the last axis (biased variance, as PyTorch). */
export function layerNorm(
  x: Tensor,
  gamma: Tensor | null,
  beta: Tensor | null,
  eps = 1e-5,
): Tensor {
  assertTensor('layerNorm', x, 'the input');
  if (x.ndim < 1) throw new Error('layerNorm: input must have at least 1 dimension');
  const cols = x.shape[x.ndim - 1]!;
  for (const [name, p] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const) {
    if (p === null) continue;
    assertTensor('layerNorm', p, name);
    assertSameDtype('layerNorm', x, p);
    if (p.ndim !== 1 || p.shape[0] !== cols) {
      throw new Error(
        `layerNorm: ${name} ${formatShape(p.shape)} does not match input ${formatShape(x.shape)} (expected [${cols}])`,
      );
    }
  }
  if (!(eps >= 0)) throw new Error(`layerNorm: eps must be ≥ 0, got ${eps}`);
  const rows = cols === 0 ? 0 : x.size / cols;
  const xd = contig(x);
  const gd = gamma ? contig(gamma) : null;
  const bd = beta ? contig(beta) : null;
  const out = alloc(x.dtype, x.shape);
  const meanArr = alloc(x.dtype, [rows]);
  const rstdArr = alloc(x.dtype, [rows]);
  kernelsFor(xd).layerNorm(xd, gd, bd, out, meanArr, rstdArr, rows, cols, eps);
  const y = fromArray(out, x.shape);
  const inputs = [x, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
  if (!needsGrad(inputs)) return y;
  return record(y, 'layerNorm', inputs, (g) => {
    const dx = x.requiresGrad ? alloc(x.dtype, x.shape, true) : null;
    const dg = gamma?.requiresGrad ? alloc(x.dtype, [cols], true) : null;
    const db = beta?.requiresGrad ? alloc(x.dtype, [cols], true) : null;
    kernelsFor(g).layerNormBackward(xd, gd, meanArr, rstdArr, g, dx, dg, db, rows, cols);
    return [dx, ...(gamma ? [dg] : []), ...(beta ? [db] : [])];
  });
}
