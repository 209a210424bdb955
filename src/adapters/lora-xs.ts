/**
 * LoRA-XS (Bałazy et al., 2024): y = W·x + s·B·R·A·x + b with A, B frozen from
 * the truncated SVD of W (B = U_r, A = Σ_r·V_rᵀ) and only R (r×r) trained,
 * R ~ N(0, σ²).
 */
import type { Linear } from '../nn/linear.js';
import { randn } from '../tensor/create.js';
import type { Random } from '../tensor/random.js';
import { LowRankAdapter } from './base.js';
import { checkRank, leaf, svdFactors } from './init.js';
import type { AdapterConfig, AdapterMethod } from './types.js';

export const loraXs: AdapterMethod = {
  name: 'lora-xs',
  fromBase(base: Linear, config: AdapterConfig, rng: Random) {
    checkRank(base, config);
    const { a, b } = svdFactors(base, config, rng.nextUint32());
    const r = randn([config.r, config.r], rng, config.rInitStd, 0, { dtype: base.weight.dtype });
    return new LowRankAdapter(
      'lora-xs',
      config,
      { a: leaf(a, false), b: leaf(b, false), r: leaf(r, true), magnitude: null },
      rng,
    );
  },
  countTrainable: (_dOut, _dIn, r) => r * r,
};
