/**
 * LoRA-XS (Bałazy et al., 2024): y = W·x + s·B·R·A·x + b with A, B frozen from
 * the truncated SVD of W (B = U_r, A = Σ_r·V_rᵀ) and only R (r×r) trained,
 * R ~ N(0, σ²).
 */
import type { Linear } from '../nn/linear.js';
import { randn } from '../tensor/create.js';
import type { Random } from '../tensor/random.js';
import { foldR, LORA_A, LORA_B, LORA_R, LOW_RANK_SHAPES, LowRankAdapter } from './base.js';
import { checkRank, leaf, svdFactors } from './init.js';
import type { AdapterConfig, AdapterMethod } from './types.js';

export const loraXs: AdapterMethod = {
  name: 'lora-xs',
  help: 'LoRA-XS: W + s·B·R·A, A and B frozen from the SVD of W, R trained',
  // PEFT has no place for R: its own peft_type makes PEFT refuse the file
  // rather than drop R (`edora export --to peft-lora` folds R into B).
  peft: { peftType: 'LORA_XS', configFields: {} },
  tensors: {
    [LORA_A]: { shape: LOW_RANK_SHAPES[LORA_A], trains: false },
    [LORA_B]: { shape: LOW_RANK_SHAPES[LORA_B], trains: false },
    [LORA_R]: { shape: LOW_RANK_SHAPES[LORA_R], trains: true },
  },
  exports: [{ to: 'peft-lora', as: 'lora', convert: foldR }],
  // R between frozen SVD factors needs a larger step than A and B (DEFAULT_LR).
  defaultLr: 1e-2,
  // No clipping: R's gradient carries W's singular values (DEFAULT_MAX_GRAD_NORM).
  defaultMaxGradNorm: 0,
  needsSvd: true,
  fromBase(base: Linear, config: AdapterConfig, rng: Random) {
    checkRank(base, config);
    const { a, b } = svdFactors(base, config, rng.nextUint32());
    const r = randn([config.r, config.r], rng, config.rInitStd, 0, { dtype: base.weight.dtype });
    const named = new Map([
      [LORA_A, leaf(a, false)],
      [LORA_B, leaf(b, false)],
      [LORA_R, leaf(r, true)],
    ]);
    return new LowRankAdapter('lora-xs', config, named, rng);
  },
  countTrainable: (_dOut, _dIn, r) => r * r,
};
