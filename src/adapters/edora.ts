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
import {
  foldR,
  LORA_A,
  LORA_B,
  LORA_R,
  LOW_RANK_SHAPES,
  LowRankAdapter,
  MAGNITUDE,
} from './base.js';
import { checkRank, leaf, magnitudeOf, svdFactors } from './init.js';
import type { AdapterConfig, AdapterMethod } from './types.js';

export const edora: AdapterMethod = {
  name: 'edora',
  help: 'EDoRA: m ⊙ (W + s·B·R·A) / ‖·‖_row, A and B frozen from the SVD of W, R and m trained',
  // PEFT has no place for R: its own peft_type makes PEFT refuse the file
  // rather than drop R (`edora export --to peft-dora` folds R into B).
  peft: { peftType: 'EDORA', configFields: { use_dora: true } },
  tensors: {
    [LORA_A]: { shape: LOW_RANK_SHAPES[LORA_A], trains: false },
    [LORA_B]: { shape: LOW_RANK_SHAPES[LORA_B], trains: false },
    [LORA_R]: { shape: LOW_RANK_SHAPES[LORA_R], trains: true },
    [MAGNITUDE]: { shape: LOW_RANK_SHAPES[MAGNITUDE], trains: true },
  },
  exports: [{ to: 'peft-dora', as: 'dora', convert: foldR }],
  // R between frozen SVD factors needs a larger step than A and B (DEFAULT_LR).
  defaultLr: 1e-2,
  // No clipping: R's gradient carries W's singular values (DEFAULT_MAX_GRAD_NORM).
  defaultMaxGradNorm: 0,
  needsSvd: true,
  fromBase(base: Linear, config: AdapterConfig, rng: Random) {
    checkRank(base, config);
    const { a, b } = svdFactors(base, config, rng.nextUint32());
    const r = randn([config.r, config.r], rng, config.rInitStd, 0, { dtype: base.weight.dtype });
    const magnitude = magnitudeOf(base);
    const named = new Map([
      [LORA_A, leaf(a, false)],
      [LORA_B, leaf(b, false)],
      [LORA_R, leaf(r, true)],
      [MAGNITUDE, leaf(magnitude, true)],
    ]);
    return new LowRankAdapter('edora', config, named, rng);
  },
  countTrainable: (dOut, _dIn, r) => r * r + dOut,
};
