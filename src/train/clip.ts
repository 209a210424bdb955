/**
 * torch.nn.utils.clip_grad_norm_ with the L2 norm: the global norm over all
 * gradients, and every gradient scaled in place by min(1, maxNorm / (norm + 1e-6)).
 * As in torch the scaling applies whenever that factor is below 1, so a norm
 * within 1e-6 under maxNorm is still scaled slightly.
 *
 * One difference: a non-finite norm (an overflow or NaN in some gradient)
 * leaves the gradients untouched (torch would multiply them by NaN or 0); the
 * caller sees the norm and decides (skip the step, or stop).
 */
import type { Tensor } from '../tensor/tensor.js';

/** The L2 norm of all the gradients together (NaN or ∞ when any entry is); null grads are skipped. */
export function gradNorm(params: Tensor[]): number {
  let sumSq = 0;
  for (const p of params) {
    const g = p.grad;
    if (g === null) continue;
    const d = g.data;
    const end = g.offset + g.size;
    for (let i = g.offset; i < end; i++) sumSq += d[i]! * d[i]!;
  }
  return Math.sqrt(sumSq);
}

/** Returns the total norm before clipping. Parameters whose grad is null are skipped. */
export function clipGradNorm(params: Tensor[], maxNorm: number): number {
  if (!(maxNorm >= 0) || !Number.isFinite(maxNorm))
    throw new Error(`clipGradNorm: maxNorm must be finite and ≥ 0, got ${maxNorm}`);
  const grads = params.flatMap((p) => (p.grad === null ? [] : [p.grad]));
  const norm = gradNorm(params);
  if (!Number.isFinite(norm)) return norm;
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    for (const g of grads) {
      const d = g.data;
      const end = g.offset + g.size;
      for (let i = g.offset; i < end; i++) d[i] = d[i]! * coef;
    }
  }
  return norm;
}

/**
 * Clip each group's gradient norm to maxNorm on its own (e.g. the adapter's
 * and the head's), instead of one norm over all of them: one group's large
 * gradient (EDoRA's R carries W's singular values) then cannot shrink the
 * other's step. Returns the global norm before clipping, √(Σ normᵢ²), so a
 * non-finite gradient anywhere is seen as with clipGradNorm.
 */
export function clipGradNormPerGroup(groups: Tensor[][], maxNorm: number): number {
  if (!(maxNorm >= 0) || !Number.isFinite(maxNorm))
    throw new Error(`clipGradNormPerGroup: maxNorm must be finite and ≥ 0, got ${maxNorm}`);
  // Norms first: a non-finite one anywhere leaves every gradient untouched.
  const norms = groups.map((g) => gradNorm(g));
  const total = Math.sqrt(norms.reduce((s, n) => s + n * n, 0));
  if (!Number.isFinite(total)) return total;
  groups.forEach((g) => {
    clipGradNorm(g, maxNorm);
  });
  return total;
}
