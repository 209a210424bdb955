/** nn.Linear: y = x·Wᵀ + b, weight [out, in]. */
import { linear } from '../autograd/ops/matmul.js';
import { kaimingUniform, rand, zeros } from '../tensor/create.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/**
 * What PEFT puts into a linear layer. The model only knows this hook: when
 * set, the layer's output is whatever the hook computes from the input and the
 * base layer (which it can call as `base.baseForward(x)`).
 */
export interface LinearHook {
  forward(x: Tensor, base: Linear): Tensor;
}

export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  hook: LinearHook | null = null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: { bias?: boolean; rng?: Random } = {},
  ) {
    super();
    const rng = options.rng;
    // PyTorch's nn.Linear init when an rng is given; zeros otherwise (weights
    // then come from a checkpoint). Parameters require grad, as in PyTorch;
    // PEFT freezes the base model.
    this.weight = this.param(
      'weight',
      rng ? kaimingUniform([outFeatures, inFeatures], rng) : zeros([outFeatures, inFeatures]),
    );
    const bound = 1 / Math.sqrt(inFeatures);
    this.bias =
      options.bias === false
        ? null
        : this.param('bias', rng ? rand([outFeatures], rng, -bound, bound) : zeros([outFeatures]));
    for (const t of this.parameters()) t.requiresGrad = true;
  }

  protected override onParamReplaced(name: string, t: Tensor): void {
    if (name === 'weight') this.weight = t;
    if (name === 'bias') this.bias = t;
  }

  /** The layer without any hook. */
  baseForward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return this.hook ? this.hook.forward(x, this) : this.baseForward(x);
  }
}
