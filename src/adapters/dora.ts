/**
 * DoRA (Liu et al., 2024): y = m ⊙ (W + s·B·A)·x / ‖W + s·B·A‖_row + b with
 * the norm detached. A, B and m train; m starts at ‖W‖_row, B at 0, so the
 * adapted layer starts as the base layer.
 */
import type { Linear } from '../nn/linear.js';
import type { Random } from '../tensor/random.js';
import { lowRankAdapter, lowRankSpecs } from './base.js';
import { checkRank, loraFactors, magnitudeOf } from './init.js';
import { pissaFactors } from './lora.js';
import type { AdapterConfig, AdapterMethod } from './types.js';

export const dora: AdapterMethod = {
  name: 'dora',
  help: 'DoRA: m ⊙ (W + s·B·A) / ‖·‖_row, A, B and m trained',
  peft: { peftType: 'LORA', configFields: { use_dora: true } },
  tensors: lowRankSpecs({
    'lora_A.weight': true,
    'lora_B.weight': true,
    lora_magnitude_vector: true,
  }),
  exports: [{ to: 'peft-dora', as: 'dora' }],
  defaultLr: 2e-3,
  defaultMaxGradNorm: 1,
  needsSvd: false,
  fromBase(base: Linear, config: AdapterConfig, rng: Random) {
    checkRank(base, config);
    // PEFT computes the magnitude after PiSSA has replaced W by its residual
    // plus the update, which is W itself: take it before, identically.
    const magnitude = magnitudeOf(base);
    const { a, b } =
      config.initLoraWeights === 'pissa'
        ? pissaFactors(base, config, rng.nextUint32())
        : loraFactors(base, config, rng);
    return lowRankAdapter(
      dora,
      config,
      {
        'lora_A.weight': a,
        'lora_B.weight': b,
        lora_magnitude_vector: magnitude,
      },
      rng,
    );
  },
  countTrainable: (dOut, dIn, r) => r * (dIn + dOut) + dOut,
};
