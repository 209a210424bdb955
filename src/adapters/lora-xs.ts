/**
 * LoRA-XS (Bałazy et al., 2024): y = W·x + s·B·R·A·x + b with A, B frozen from
 * the truncated SVD of W (B = U_r, A = Σ_r·V_rᵀ) and only R (r×r) trained,
 * R ~ N(0, σ²).
 */
import type { Linear } from '../nn/linear.js';
import type { Random } from '../tensor/random.js';
import { foldR, lowRankAdapter, lowRankSpecs } from './base.js';
import { svdFactorsWithR } from './init.js';
import type { AdapterConfig, AdapterMethod } from './types.js';

export const loraXs: AdapterMethod = {
  name: 'lora-xs',
  help: 'LoRA-XS: W + s·B·R·A, A and B frozen from the SVD of W, R trained',
  // PEFT has no place for R: its own peft_type makes PEFT refuse the file
  // rather than drop R (`edora export --to peft-lora` folds R into B).
  peft: { peftType: 'LORA_XS', configFields: {} },
  tensors: lowRankSpecs({
    'lora_A.weight': false,
    'lora_B.weight': false,
    'lora_R.weight': true,
  }),
  exports: [{ to: 'peft-lora', as: 'lora', convert: foldR }],
  // R between frozen SVD factors needs a larger step than A and B (DEFAULT_LR).
  defaultLr: 1e-2,
  // No clipping: R's gradient carries W's singular values (DEFAULT_MAX_GRAD_NORM).
  defaultMaxGradNorm: 0,
  needsSvd: true,
  fromBase(base: Linear, config: AdapterConfig, rng: Random) {
    return lowRankAdapter(loraXs, config, svdFactorsWithR(base, config, rng), rng);
  },
  countTrainable: (_dOut, _dIn, r) => r * r,
};
