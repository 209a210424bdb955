/**
 * DoRA (Liu et al., 2024): y = m ⊙ (W + s·B·A)·x / ‖W + s·B·A‖_row + b with
 * the norm detached. A, B and m train; m starts at ‖W‖_row, B at 0, so the
 * adapted layer starts as the base layer.
 */
import type { Linear } from '../nn/linear.js';
import type { Random } from '../tensor/random.js';
import { LORA_A, LORA_B, LOW_RANK_SHAPES, LowRankAdapter, MAGNITUDE } from './base.js';
import { checkRank, leaf, loraFactors, magnitudeOf } from './init.js';
import { pissaFactors } from './lora.js';
import type { AdapterConfig, AdapterMethod } from './types.js';

export const dora: AdapterMethod = {
  name: 'dora',
  help: 'DoRA: m ⊙ (W + s·B·A) / ‖·‖_row, A, B and m trained',
  peft: { peftType: 'LORA', configFields: { use_dora: true } },
  tensors: {
    [LORA_A]: { shape: LOW_RANK_SHAPES[LORA_A], trains: true },
    [LORA_B]: { shape: LOW_RANK_SHAPES[LORA_B], trains: true },
    [MAGNITUDE]: { shape: LOW_RANK_SHAPES[MAGNITUDE], trains: true },
  },
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
    const named = new Map([
      [LORA_A, leaf(a, true)],
      [LORA_B, leaf(b, true)],
      [MAGNITUDE, leaf(magnitude, true)],
    ]);
    return new LowRankAdapter('dora', config, named, rng);
  },
  countTrainable: (dOut, dIn, r) => r * (dIn + dOut) + dOut,
};
