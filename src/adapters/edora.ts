/**
 * EDoRA (arXiv 2501.12067): DoRA's magnitude/direction split with LoRA-XS's
 * frozen SVD factors:
 *   y = m ⊙ (W + s·B·R·A)·x / ‖W + s·B·R·A‖_row + b
 * A = Σ_r·V_rᵀ and B = U_r frozen, R ~ N(0, σ²) and m = ‖W‖_row trained:
 * r² + d_out parameters per layer. The norm is detached and computed in
 * O(d_out·r²) per step from W·Aᵀ, A·Aᵀ and ‖W‖², computed once.
 */
import type { Linear } from '../nn/linear.js';
import { randn } from '../tensor/create.js';
import type { Random } from '../tensor/random.js';
import { LowRankAdapter } from './base.js';
import { checkRank, leaf, magnitudeOf, svdFactors } from './init.js';
import type { AdapterConfig, AdapterMethod } from './types.js';

export const edora: AdapterMethod = {
  name: 'edora',
  fromBase(base: Linear, config: AdapterConfig, rng: Random) {
    checkRank(base, config);
    const { a, b } = svdFactors(base, config, rng.nextUint32());
    const r = randn([config.r, config.r], rng, config.rInitStd, 0, { dtype: base.weight.dtype });
    const magnitude = magnitudeOf(base);
    return new LowRankAdapter(
      'edora',
      config,
      { a: leaf(a, false), b: leaf(b, false), r: leaf(r, true), magnitude: leaf(magnitude, true) },
      rng,
    );
  },
  countTrainable: (dOut, _dIn, r) => r * r + dOut,
};
