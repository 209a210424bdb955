/**
 * What LoRA, DoRA, LoRA-XS and EDoRA share: frozen-or-trainable factors
 * A [r×dIn], B [dOut×r], an optional R [r×r] between them and an optional
 * magnitude m [dOut], the forward pass, merge and unmerge.
 *
 *   ΔW = B·A (LoRA, DoRA)   or   B·R·A (LoRA-XS, EDoRA)
 *   LoRA family:  y = W·x + s·ΔW·x̃ + b
 *   DoRA family:  y = g ⊙ (W·x + s·ΔW·x̃) + b,  g = m / max(‖W + s·ΔW‖_row, eps)
 *
 * x̃ is x after dropout (adapter path only). The norm is detached. PEFT's
 * DoRA also feeds x̃ to the W·x term, which costs a second full product; the
 * two agree whenever dropout is 0 and in evaluation.
 */

import { dropout } from '../autograd/ops/dropout.js';
import { add, div, mul, sub } from '../autograd/ops/elementwise.js';
import { lowRankLinear } from '../autograd/ops/lowrank.js';
import { linear, matmul } from '../autograd/ops/matmul.js';
import { unsqueeze } from '../autograd/ops/shape.js';
import { noGrad } from '../autograd/tape.js';
import type { Linear } from '../nn/linear.js';
import type { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { copyNamedTensors } from './load-tensors.js';
import {
  factoredRowNorm,
  type NormCache,
  naiveRowNorm,
  normCache,
  rowSquares,
} from './row-norm.js';
import {
  type Adapter,
  type AdapterConfig,
  type AdapterMethod,
  type MethodName,
  NORM_EPS,
  scalingOf,
  type TensorSpec,
} from './types.js';

/** The PEFT key suffixes of the low-rank family's tensors. */
export const LORA_A = 'lora_A.weight';
export const LORA_B = 'lora_B.weight';
export const LORA_R = 'lora_R.weight';
export const MAGNITUDE = 'lora_magnitude_vector';

/** The low-rank family's tensors as its methods describe them (TensorSpec shapes). */
export const LOW_RANK_SHAPES = {
  [LORA_A]: ['r', 'in'],
  [LORA_B]: ['out', 'r'],
  [LORA_R]: ['r', 'r'],
  [MAGNITUDE]: ['out'],
} as const;

type LowRankName = keyof typeof LOW_RANK_SHAPES;

/** A low-rank method's `tensors`: which of A, B, R and m it has, and whether each trains. */
export function lowRankSpecs(
  trains: Partial<Record<LowRankName, boolean>>,
): Record<string, TensorSpec> {
  return Object.fromEntries(
    Object.entries(trains).map(([k, t]) => [
      k,
      { shape: LOW_RANK_SHAPES[k as LowRankName], trains: t },
    ]),
  );
}

/**
 * A LowRankAdapter of `method` from its factors by name: the method's
 * `tensors` decide which it keeps, in which order, and which train.
 */
export function lowRankAdapter(
  method: AdapterMethod,
  config: AdapterConfig,
  factors: Partial<Record<LowRankName, Tensor>>,
  rng: Random,
): LowRankAdapter {
  const named = new Map(
    Object.entries(method.tensors).map(([k, spec]) => {
      const t = factors[k as LowRankName];
      if (!t) throw new Error(`${method.name}: no initial value for ${k}`);
      t.requiresGrad = spec.trains;
      return [k, t] as const;
    }),
  );
  return new LowRankAdapter(method.name, config, named, rng);
}

/** A: [r×dIn], B: [dOut×r], and R [r×r] and m [dOut] where the method has them. */
interface Factors {
  a: Tensor;
  b: Tensor;
  r: Tensor | null;
  magnitude: Tensor | null;
}

/** B·R folded into lora_B and R dropped: LoRA-XS as LoRA, EDoRA as DoRA (`edora export`). */
export function foldR(layer: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const out = new Map(layer);
  const r = layer.get(LORA_R);
  if (!r) return out;
  const b = layer.get(LORA_B);
  if (!b) throw new Error(`${LORA_R} has no matching ${LORA_B}`);
  out.delete(LORA_R);
  out.set(
    LORA_B,
    noGrad(() => matmul(b, r)),
  );
  return out;
}

export class LowRankAdapter implements Adapter {
  readonly scaling: number;
  readonly trainable: ReadonlySet<string>;
  merged = false;
  /** Norm used at merge time, to undo it exactly. */
  private mergedNorm: Tensor | null = null;
  /** P, G, ‖W‖² for the factored norm when W and A are frozen (EDoRA). */
  private cache: NormCache | null = null;
  /** ‖W‖²_row alone, for the factored norm when A trains (DoRA). */
  private weightSquares: Tensor | null = null;

  /** The factors, read from the named tensors by their PEFT names. */
  private readonly factors: Factors;

  /**
   * `named`: the method's tensors by PEFT key suffix (lora_A.weight and
   * lora_B.weight, lora_R.weight and lora_magnitude_vector where it has
   * them); those with requiresGrad train.
   */
  constructor(
    readonly method: MethodName,
    readonly config: AdapterConfig,
    private readonly named: ReadonlyMap<string, Tensor>,
    private readonly rng: Random,
  ) {
    const a = named.get(LORA_A);
    const b = named.get(LORA_B);
    if (!a || !b) throw new Error(`${method}: a low-rank adapter needs ${LORA_A} and ${LORA_B}`);
    this.factors = { a, b, r: named.get(LORA_R) ?? null, magnitude: named.get(MAGNITUDE) ?? null };
    this.scaling = scalingOf(config);
    this.trainable = new Set([...named].filter(([, t]) => t.requiresGrad).map(([k]) => k));
  }

  /** B' = B·R (or B): the left factor the norm identity needs. */
  private leftFactor(): Tensor {
    const { b, r } = this.factors;
    return r ? matmul(b, r) : b;
  }

  /** ‖W + s·ΔW‖_row, detached, floored at eps. */
  rowNorm(base: Linear): Tensor {
    return noGrad(() => {
      const { a } = this.factors;
      const left = this.leftFactor();
      let n: Tensor;
      if (this.config.normMode === 'naive') {
        n = naiveRowNorm(base.weight, left, a, this.scaling);
      } else if (base.weight.requiresGrad) {
        // W itself trains (unusual): nothing can be kept between steps.
        n = factoredRowNorm(normCache(base.weight, a), left, this.scaling);
      } else if (!a.requiresGrad) {
        this.cache ??= normCache(base.weight, a);
        n = factoredRowNorm(this.cache, left, this.scaling);
      } else {
        // A trains (DoRA): P = W·Aᵀ and G = A·Aᵀ each step, ‖W‖² once.
        this.weightSquares ??= rowSquares(base.weight);
        n = factoredRowNorm(normCache(base.weight, a, this.weightSquares), left, this.scaling);
      }
      return floorAt(n, NORM_EPS);
    });
  }

  forward(x: Tensor, base: Linear): Tensor {
    if (this.merged) return base.baseForward(x);
    const { a, b, r, magnitude } = this.factors;
    const xd =
      this.config.dropout > 0 ? dropout(x, this.config.dropout, this.rng, base.training) : x;
    if (this.config.normMode === 'naive') return this.referenceForward(x, xd, base);
    const g = magnitude ? div(magnitude, this.rowNorm(base)) : null;
    return lowRankLinear({
      x,
      xAdapter: xd,
      weight: base.weight,
      bias: base.bias,
      a,
      r,
      b,
      scaling: this.scaling,
      scale: g,
    });
  }

  /**
   * The same layer the way the reference code writes it (PEFT's DoRA layer,
   * which the EDoRA repository extends with R): the base layer's output,
   * plus (g − 1) ⊙ x̃·Wᵀ — a second full product — plus g ⊙ s·ΔW·x̃ from
   * separate ops, with the norm taken from the dense W + s·ΔW every step.
   * Kept for checks and as the benchmarks' baseline (normMode 'naive'). With
   * dropout it feeds x̃ to the W term as PEFT does; without, it equals the
   * fused path.
   */
  private referenceForward(x: Tensor, xd: Tensor, base: Linear): Tensor {
    const { a, b, r, magnitude } = this.factors;
    let u = linear(xd, a);
    if (r) u = linear(u, r);
    const update = linear(mul(u, this.scaling), b);
    if (!magnitude) return add(base.baseForward(x), update);
    const g = div(magnitude, this.rowNorm(base));
    const dora = add(mul(linear(xd, base.weight), sub(g, 1)), mul(update, g));
    return add(base.baseForward(x), dora);
  }

  tensors(): Map<string, Tensor> {
    return new Map(this.named);
  }

  /** s·ΔW as a dense [dOut×dIn] matrix. */
  deltaWeight(): Tensor {
    return noGrad(() => mul(matmul(this.leftFactor(), this.factors.a), this.scaling));
  }

  mergedWeight(base: Linear): Tensor {
    return noGrad(() => {
      if (this.merged) return base.weight;
      const w = add(base.weight, this.deltaWeight());
      const { magnitude } = this.factors;
      return magnitude ? mul(w, unsqueeze(div(magnitude, this.rowNorm(base)), 1)) : w;
    });
  }

  merge(base: Linear): void {
    if (this.merged) throw new Error(`${this.method}: adapter is already merged`);
    const norm = this.factors.magnitude ? this.rowNorm(base) : null;
    const merged = this.mergedWeight(base);
    base.weight.data.set(merged.data, base.weight.offset);
    this.mergedNorm = norm;
    this.merged = true;
  }

  unmerge(base: Linear): void {
    if (!this.merged) throw new Error(`${this.method}: adapter is not merged`);
    noGrad(() => {
      let w = base.weight;
      const { magnitude } = this.factors;
      if (magnitude && this.mergedNorm) w = div(w, unsqueeze(div(magnitude, this.mergedNorm), 1));
      const restored = sub(w, this.deltaWeight());
      base.weight.data.set(restored.data, base.weight.offset);
    });
    this.merged = false;
    this.mergedNorm = null;
    // W was rewritten: recompute P and ‖W‖² from the restored values.
    this.cache = null;
    this.weightSquares = null;
  }

  loadTensors(tensors: ReadonlyMap<string, Tensor>, where: string, keyPrefix = ''): void {
    copyNamedTensors(this.named, tensors, where, keyPrefix);
    this.cache = null;
    this.weightSquares = null;
  }
}

/** max(x, floor) elementwise, as a fresh constant tensor. */
function floorAt(x: Tensor, floor: number): Tensor {
  const d = x.toArray();
  const out = x.dtype === 'float64' ? new Float64Array(d.length) : new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Math.max(d[i]!, floor);
  return new Tensor(out, x.shape);
}
