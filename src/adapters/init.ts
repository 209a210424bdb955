/** Initialisations shared by the adapter methods. */
import { rowNorm } from '../autograd/ops/norm.js';
import { noGrad } from '../autograd/tape.js';
import { truncatedSvd } from '../linalg/svd.js';
import type { Linear } from '../nn/linear.js';
import { kaimingUniform, randn, zeros } from '../tensor/create.js';
import type { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { type AdapterConfig, MAX_SVD_ITERS } from './types.js';

export function checkRank(base: Linear, config: AdapterConfig): void {
  const [dOut, dIn] = base.weight.shape as [number, number];
  const max = Math.min(dOut, dIn);
  if (!Number.isInteger(config.r) || config.r < 1 || config.r > max) {
    throw new Error(
      `${config.method}: r = ${config.r} must be an integer between 1 and min(d_out, d_in) = ${max} for a ${dOut}×${dIn} layer`,
    );
  }
  if (!(config.alpha > 0))
    throw new Error(`${config.method}: alpha must be > 0, got ${config.alpha}`);
  if (!(config.dropout >= 0 && config.dropout < 1))
    throw new Error(`${config.method}: dropout must be in [0, 1), got ${config.dropout}`);
  const iters = config.svdIters;
  if (!Number.isInteger(iters) || iters < 0 || iters > MAX_SVD_ITERS)
    throw new Error(
      `${config.method}: svdIters must be an integer in [0, ${MAX_SVD_ITERS}], got ${iters}`,
    );
}

/** A leaf with the given trainability. */
export function leaf(t: Tensor, trainable: boolean): Tensor {
  t.requiresGrad = trainable;
  return t;
}

/** LoRA's A and B as PEFT: A Kaiming-uniform (a = √5), or N(0, (1/r)²) for 'gaussian'; B zeros. */
export function loraFactors(
  base: Linear,
  config: AdapterConfig,
  rng: Random,
): { a: Tensor; b: Tensor } {
  const [dOut, dIn] = base.weight.shape as [number, number];
  const dtype = base.weight.dtype;
  const a =
    config.initLoraWeights === 'gaussian'
      ? randn([config.r, dIn], rng, 1 / config.r, 0, { dtype })
      : kaimingUniform([config.r, dIn], rng, Math.sqrt(5), { dtype });
  return { a, b: zeros([dOut, config.r], { dtype }) };
}

/**
 * Frozen factors from the rank-r truncated SVD W ≈ U_r·Σ_r·V_rᵀ:
 * B = U_r (orthonormal columns), A = Σ_r·V_rᵀ (A carries the singular values).
 */
export function svdFactors(
  base: Linear,
  config: AdapterConfig,
  seed: number,
): { a: Tensor; b: Tensor } {
  const w = base.weight;
  const [dOut, dIn] = w.shape as [number, number];
  const r = config.r;
  const { u, s, v } = truncatedSvd(w, r, { nIter: config.svdIters, seed });
  const a = w.dtype === 'float64' ? new Float64Array(r * dIn) : new Float32Array(r * dIn);
  const vd = v.data;
  for (let p = 0; p < r; p++) for (let j = 0; j < dIn; j++) a[p * dIn + j] = s[p]! * vd[j * r + p]!;
  return { a: new Tensor(a, [r, dIn]), b: new Tensor(u.data, [dOut, r]) };
}

/**
 * LoRA-XS's (and EDoRA's) factors by their PEFT names: A and B from the
 * truncated SVD of W, R ~ N(0, rInitStd²), drawn from `rng` in that order.
 */
export function svdFactorsWithR(
  base: Linear,
  config: AdapterConfig,
  rng: Random,
): { 'lora_A.weight': Tensor; 'lora_B.weight': Tensor; 'lora_R.weight': Tensor } {
  checkRank(base, config);
  const { a, b } = svdFactors(base, config, rng.nextUint32());
  const r = randn([config.r, config.r], rng, config.rInitStd, 0, { dtype: base.weight.dtype });
  return { 'lora_A.weight': a, 'lora_B.weight': b, 'lora_R.weight': r };
}

/** m = ‖W‖_row as a fresh tensor. */
export function magnitudeOf(base: Linear): Tensor {
  return noGrad(() => {
    const n = rowNorm(base.weight);
    return new Tensor(n.data.slice(), n.shape);
  });
}
