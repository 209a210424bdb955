/**
 * LoRA (Hu et al., 2021): y = W·x + s·B·A·x + b. A and B train; B starts at 0
 * so the adapted layer starts as the base layer. PiSSA initialisation takes A
 * and B from the top-r SVD of W and replaces W by its residual.
 */

import { mul, sub } from '../autograd/ops/elementwise.js';
import { matmul } from '../autograd/ops/matmul.js';
import { noGrad } from '../autograd/tape.js';
import type { Linear } from '../nn/linear.js';
import type { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { lowRankAdapter, lowRankSpecs } from './base.js';
import { checkRank, loraFactors, svdFactors } from './init.js';
import { type AdapterConfig, type AdapterMethod, scalingOf } from './types.js';

/**
 * PiSSA (Meng et al., 2024) as PEFT does it: with W ≈ U·S·Vᵀ (top r) and
 * scaling s, A = √(S/s)·Vᵀ, B = U·√(S/s), so s·B·A = U·S·Vᵀ; W becomes
 * W − s·B·A. The base weight is modified in place.
 */
export function pissaFactors(
  base: Linear,
  config: AdapterConfig,
  seed: number,
): { a: Tensor; b: Tensor } {
  const s = scalingOf(config);
  const { a: sv, b: u } = svdFactors(base, config, seed); // sv = S·Vᵀ, u = U
  const [r, dIn] = sv.shape as [number, number];
  const dOut = u.shape[0]!;
  const a = sv.data.slice();
  const b = u.data.slice();
  for (let p = 0; p < r; p++) {
    // Row p of S·Vᵀ carries σ_p: recover it as the row's norm (V has unit columns).
    let sigma = 0;
    for (let j = 0; j < dIn; j++) sigma += a[p * dIn + j]! ** 2;
    sigma = Math.sqrt(sigma);
    const root = Math.sqrt(sigma / s);
    for (let j = 0; j < dIn; j++) a[p * dIn + j] = sigma > 0 ? (a[p * dIn + j]! / sigma) * root : 0;
    for (let i = 0; i < dOut; i++) b[i * r + p] = b[i * r + p]! * root;
  }
  const at = new Tensor(a, [r, dIn]);
  const bt = new Tensor(b, [dOut, r]);
  noGrad(() => {
    const residual = sub(base.weight, mul(matmul(bt, at), s));
    base.weight.data.set(residual.data, base.weight.offset);
  });
  return { a: at, b: bt };
}

export const lora: AdapterMethod = {
  name: 'lora',
  help: 'LoRA: W + s·B·A, A and B trained',
  peft: { peftType: 'LORA', configFields: { use_dora: false } },
  tensors: lowRankSpecs({ 'lora_A.weight': true, 'lora_B.weight': true }),
  exports: [{ to: 'peft-lora', as: 'lora' }],
  defaultLr: 2e-3,
  defaultMaxGradNorm: 1,
  needsSvd: false,
  fromBase(base: Linear, config: AdapterConfig, rng: Random) {
    checkRank(base, config);
    const { a, b } =
      config.initLoraWeights === 'pissa'
        ? pissaFactors(base, config, rng.nextUint32())
        : loraFactors(base, config, rng);
    return lowRankAdapter(lora, config, { 'lora_A.weight': a, 'lora_B.weight': b }, rng);
  },
  countTrainable: (dOut, dIn, r) => r * (dIn + dOut),
};
