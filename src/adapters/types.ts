/**
 * The adapter contract. An adapter wraps one frozen linear layer
 * y = W·x + b (W is [dOut, dIn]) and changes what it computes; a method is
 * a factory of adapters plus a parameter count that needs only the shapes.
 */
import type { Linear } from '../nn/linear.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

export const METHOD_NAMES = ['lora', 'dora', 'lora-xs', 'edora'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** Options shared by every method, with PEFT's meanings. */
export interface AdapterConfig {
  method: MethodName;
  /** Rank r. */
  r: number;
  /** lora_alpha: the update is scaled by alpha / r (or alpha / √r with useRslora). */
  alpha: number;
  /** lora_dropout on the adapter path (training mode only). */
  dropout: number;
  /** rsLoRA scaling alpha / √r. */
  useRslora: boolean;
  /** LoRA/DoRA initialisation of A and B. */
  initLoraWeights: 'kaiming' | 'gaussian' | 'pissa';
  /** Standard deviation of R's N(0, σ²) initialisation (EDoRA, LoRA-XS). */
  rInitStd: number;
  /** Power iterations of the randomized truncated SVD (EDoRA, LoRA-XS, PiSSA). */
  svdIters: number;
  /**
   * How the DoRA family computes ‖W + s·ΔW‖_row: 'factored' (no dOut×dIn
   * matrix, the default) or 'naive' (build W + s·ΔW densely; for checks and
   * benchmarks).
   */
  normMode: 'factored' | 'naive';
}

export const DEFAULT_CONFIG: Omit<AdapterConfig, 'method' | 'r'> = {
  alpha: 16,
  dropout: 0,
  useRslora: false,
  initLoraWeights: 'kaiming',
  rInitStd: 1e-5,
  svdIters: 10,
  normMode: 'factored',
};

/**
 * The most power iterations a truncated SVD may take (svdIters, PiSSA's
 * pissa_niter_N). Published settings use 4–16; the bound stops a config
 * from running for hours on load.
 */
export const MAX_SVD_ITERS = 100;

/** The floor under ‖·‖_row before dividing by it (PEFT uses a similar epsilon). */
export const NORM_EPS = 1e-6;

export interface Adapter {
  readonly method: MethodName;
  readonly config: AdapterConfig;
  /** s: alpha / r, or alpha / √r with rsLoRA. */
  readonly scaling: number;
  /** PEFT keys of the tensors that train (the others are frozen, e.g. EDoRA's SVD factors). */
  readonly trainable: ReadonlySet<string>;
  /** True while the update is folded into the base weight. */
  readonly merged: boolean;
  /** The adapted layer's output for input x [..., dIn]. */
  forward(x: Tensor, base: Linear): Tensor;
  /**
   * Every tensor of the adapter, by its PEFT key suffix ('lora_A.weight',
   * 'lora_B.weight', 'lora_magnitude_vector', 'lora_R.weight'). Trainable
   * ones have requiresGrad.
   */
  tensors(): Map<string, Tensor>;
  /** The weight the adapted layer effectively uses, [dOut, dIn] (no gradient). */
  mergedWeight(base: Linear): Tensor;
  /** Fold the update into base.weight (the forward then runs the base layer alone). */
  merge(base: Linear): void;
  /** Restore base.weight from a merge. */
  unmerge(base: Linear): void;
  /**
   * Replace the values of the adapter's tensors (keyed by PEFT suffix),
   * checking shapes. Errors read `<where>: tensor '<keyPrefix><key>' …`.
   */
  loadTensors(tensors: ReadonlyMap<string, Tensor>, where: string, keyPrefix?: string): void;
}

export interface AdapterMethod {
  readonly name: MethodName;
  /** Build an adapter for `base` (its weight is read, never written, except by PiSSA). */
  fromBase(base: Linear, config: AdapterConfig, rng: Random): Adapter;
  /** Trainable parameters for a dOut×dIn layer: needs no weights. */
  countTrainable(dOut: number, dIn: number, r: number): number;
}

export function scalingOf(config: Pick<AdapterConfig, 'alpha' | 'r' | 'useRslora'>): number {
  return config.useRslora ? config.alpha / Math.sqrt(config.r) : config.alpha / config.r;
}
