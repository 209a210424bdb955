/**
 * The adapter contract. An adapter wraps one frozen linear layer
 * y = W·x + b (W is [dOut, dIn]) and changes what it computes; a method
 * (AdapterMethod) is a factory of adapters plus everything the rest of
 * edora needs to know about it — its PEFT names, its tensors on disk, its
 * export targets, its training defaults — so that a new method is one file
 * and one line in registry.ts (docs/methods-contract.md).
 */
import type { Linear } from '../nn/linear.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

/** A registered method's name ('lora', 'dora', 'lora-xs', 'edora', or one added by registerMethod). */
export type MethodName = string;

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
  /**
   * The method's own settings (AdapterMethod.options) by their PEFT names,
   * every declared one present once the config is built (adapterConfig
   * fills the defaults); empty for methods that have none.
   */
  options: Readonly<Record<string, OptionValue>>;
}

/** The value of a method's own setting. */
export type OptionValue = number | boolean | string;

/** One setting a method declares (AdaLoRA's target_r, MELoRA's mini_r, …). */
export interface MethodOption {
  /**
   * Its name in adapter_config.json, in `--option name=value` and in
   * AdapterConfig.options: the field name of PEFT's config class where PEFT
   * has the method (snake_case).
   */
  readonly key: string;
  readonly kind: 'integer' | 'number' | 'boolean' | 'string';
  readonly default: OptionValue;
  /** One line for `edora train --help`. */
  readonly help: string;
  readonly min?: number;
  readonly max?: number;
  /** The allowed values of a 'string' setting. */
  readonly choices?: readonly string[];
}

export const DEFAULT_CONFIG: Omit<AdapterConfig, 'method' | 'r'> = {
  alpha: 16,
  dropout: 0,
  useRslora: false,
  initLoraWeights: 'kaiming',
  rInitStd: 1e-5,
  svdIters: 10,
  normMode: 'factored',
  options: {},
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

/** A dimension of a tensor, in terms of its layer: d_out, d_in, the rank r, or a fixed size. */
export type Dim = 'out' | 'in' | 'r' | number;

/** One tensor of an adapted layer, as the method names it on disk. */
export interface TensorSpec {
  /** Its shape (lora_A: ['r', 'in']). The loader checks files against it. */
  readonly shape: readonly Dim[];
  /** Whether it trains; a frozen one is saved too, so the adapter is rebuilt exactly. */
  readonly trains: boolean;
}

/** How a method is written in adapter_config.json. */
export interface PeftNames {
  /** peft_type ('LORA', 'EDORA', …). */
  readonly peftType: string;
  /**
   * Config fields that tell this method from others of the same peft_type,
   * with the values it writes (DoRA: { use_dora: true }, LoRA: { use_dora:
   * false }). A file whose peft_type several methods share is read as the one
   * whose fields it agrees with (a missing field reads as false, PEFT's default).
   */
  readonly configFields: Readonly<Record<string, boolean>>;
}

/** A plain format an adapter of this method can be exported to (`edora export --to`). */
export interface ExportSpec {
  /** The target's name: 'peft-dora', 'peft-lora'. */
  readonly to: string;
  /** The method whose on-disk format the output has (its peft_type and config fields). */
  readonly as: MethodName;
  /**
   * One adapted layer's tensors (by key suffix) in the target's names
   * (EDoRA: lora_B ← B·R, lora_R dropped); unchanged when absent. A problem
   * is thrown as a short message; the caller names the file and the module.
   */
  readonly convert?: (layer: ReadonlyMap<string, Tensor>) => Map<string, Tensor>;
}

/** The shape of an adapted layer, for methods that size model-level tensors from all of them. */
export interface LayerShape {
  path: string;
  dOut: number;
  dIn: number;
  r: number;
}

/** What a method's training hooks see. */
export interface MethodHookInfo {
  /** Optimizer steps taken so far (1 after the first step). */
  step: number;
  totalSteps: number;
  epoch: number;
  /** The adapter's config (r, alpha, …). */
  config: AdapterConfig;
  /** The adapter of each adapted layer, by module path. */
  adapters: ReadonlyMap<string, Adapter>;
  /** The adapter's model-level tensors (sharedTensors), by name. */
  shared: ReadonlyMap<string, Tensor>;
}

export interface AdapterMethod {
  readonly name: MethodName;
  /** One line for the CLI's help: what the method trains. */
  readonly help: string;
  /** Its name and fields in adapter_config.json. */
  readonly peft: PeftNames;
  /** The tensors of one adapted layer by PEFT key suffix, in the order adapters list them. */
  readonly tensors: Readonly<Record<string, TensorSpec>>;
  /** Where `edora export` can take its adapters (none: PEFT has no format for it). */
  readonly exports: readonly ExportSpec[];
  /** The adapter learning rate `edora bench` and the study use (DEFAULT_LR). */
  readonly defaultLr: number;
  /** Default gradient clipping, 0 = off (DEFAULT_MAX_GRAD_NORM). */
  readonly defaultMaxGradNorm: number;
  /**
   * Whether building it takes a truncated SVD of W: its config then records
   * the SVD's settings and seed (the `edora` block) so a load rebuilds it.
   */
  readonly needsSvd: boolean;
  /**
   * Build an adapter for `base` (its weight is read, never written, except by
   * PiSSA). `shared` holds the model-level tensors sharedTensors made.
   */
  fromBase(
    base: Linear,
    config: AdapterConfig,
    rng: Random,
    shared?: ReadonlyMap<string, Tensor>,
  ): Adapter;
  /**
   * The method's own settings, each written to adapter_config.json under its
   * key (src/adapters/options.ts checks them).
   */
  readonly options?: readonly MethodOption[];
  /**
   * Trainable parameters for a dOut×dIn layer, from shapes and the method's
   * settings alone (default: from `tensors`).
   */
  countTrainable?(
    dOut: number,
    dIn: number,
    r: number,
    options: Readonly<Record<string, OptionValue>>,
  ): number;
  /**
   * Model-level tensors, made once per adapter before its layers (a random
   * basis all layers share, one tensor for the whole model): saved once, as
   * `base_model.<name>`. Those with requiresGrad train.
   */
  sharedTensors?(
    layers: readonly LayerShape[],
    config: AdapterConfig,
    rng: Random,
  ): Map<string, Tensor>;
  /** Trainable parameters of the model-level tensors, from shapes alone. */
  countShared?(
    layers: readonly LayerShape[],
    options: Readonly<Record<string, OptionValue>>,
  ): number;
  /** Called by the trainer after every optimizer step (a schedule, a rank budget, pruning). */
  onStep?(info: MethodHookInfo): void;
  /** Called by the trainer at the end of every epoch, before its evaluation. */
  onEpochEnd?(info: MethodHookInfo): void;
}

/** The size of a tensor of `shape` in a dOut×dIn layer of rank r. */
export function dimsOf(shape: readonly Dim[], dOut: number, dIn: number, r: number): number[] {
  return shape.map((d) => (d === 'out' ? dOut : d === 'in' ? dIn : d === 'r' ? r : d));
}

/** Trainable parameters of one layer: the method's own count, or the sum of its trained tensors. */
export function trainableCount(
  m: AdapterMethod,
  dOut: number,
  dIn: number,
  r: number,
  options: Readonly<Record<string, OptionValue>> = {},
): number {
  if (m.countTrainable) return m.countTrainable(dOut, dIn, r, options);
  let n = 0;
  for (const spec of Object.values(m.tensors))
    if (spec.trains) n += dimsOf(spec.shape, dOut, dIn, r).reduce((a, b) => a * b, 1);
  return n;
}

export function scalingOf(config: Pick<AdapterConfig, 'alpha' | 'r' | 'useRslora'>): number {
  return config.useRslora ? config.alpha / Math.sqrt(config.r) : config.alpha / config.r;
}
