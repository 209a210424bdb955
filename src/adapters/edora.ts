/**
 * EDoRA (arXiv 2501.12067): DoRA's magnitude/direction split with LoRA-XS's
 * frozen SVD factors:
 *   y = m ⊙ (W + s·B·R·A)·x / ‖W + s·B·R·A‖_row + b
 * A = Σ_r·V_rᵀ and B = U_r frozen, R ~ N(0, σ²) and m = ‖W‖_row trained:
 * r² + d_out parameters per layer. The norm is detached and computed in
 * O(d_out·r²) per step from W·Aᵀ, A·Aᵀ and ‖W‖², computed once.
 */
import type { Linear } from '../nn/linear.js';
import type { Random } from '../tensor/random.js';
import { foldR, lowRankAdapter, lowRankSpecs } from './base.js';
import { magnitudeOf, svdFactorsWithR } from './init.js';
import type { AdapterConfig, AdapterMethod } from './types.js';

export const edora: AdapterMethod = {
  name: 'edora',
  help: 'EDoRA: m ⊙ (W + s·B·R·A) / ‖·‖_row, A and B frozen from the SVD of W, R and m trained',
  // Its own peft_type, as LoRA-XS's: PEFT refuses the file rather than drop R.
  peft: { peftType: 'EDORA', configFields: { use_dora: true } },
  tensors: lowRankSpecs({
    'lora_A.weight': false,
    'lora_B.weight': false,
    'lora_R.weight': true,
    lora_magnitude_vector: true,
  }),
  exports: [{ to: 'peft-dora', as: 'dora', convert: foldR }],
  // As LoRA-XS (the same R between frozen SVD factors): see DEFAULT_LR, DEFAULT_MAX_GRAD_NORM.
  defaultLr: 1e-2,
  defaultMaxGradNorm: 0,
  needsSvd: true,
  fromBase(base: Linear, config: AdapterConfig, rng: Random) {
    const factors = svdFactorsWithR(base, config, rng);
    return lowRankAdapter(
      edora,
      config,
      { ...factors, lora_magnitude_vector: magnitudeOf(base) },
      rng,
    );
  },
  countTrainable: (dOut, _dIn, r) => r * r + dOut,
};
