/**
 * DoRA (Liu et al., 2024): y = m ⊙ (W + s·B·A)·x / ‖W + s·B·A‖_row + b with
 * the norm detached. A, B and m train; m starts at ‖W‖_row, B at 0, so the
 * adapted layer starts as the base layer.
 */
import type { Linear } from '../nn/linear.js';
import type { Random } from '../tensor/random.js';
import { LowRankAdapter } from './base.js';
import { checkRank, leaf, loraFactors, magnitudeOf } from './init.js';
import { pissaFactors } from './lora.js';
import type { AdapterConfig, AdapterMethod } from './types.js';

export const dora: AdapterMethod = {
  name: 'dora',
  fromBase(base: Linear, config: AdapterConfig, rng: Random) {
    checkRank(base, config);
    // PEFT computes the magnitude after PiSSA has replaced W by its residual
    // plus the update, which is W itself: take it before, identically.
    const magnitude = magnitudeOf(base);
    const { a, b } =
      config.initLoraWeights === 'pissa'
        ? pissaFactors(base, config, rng.nextUint32())
        : loraFactors(base, config, rng);
    return new LowRankAdapter(
      'dora',
      config,
      { a: leaf(a, true), b: leaf(b, true), r: null, magnitude: leaf(magnitude, true) },
      rng,
    );
  },
  countTrainable: (dOut, dIn, r) => r * (dIn + dOut) + dOut,
};
