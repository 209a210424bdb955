/** nn.LayerNorm over the last dimension, with weight (gamma) and bias (beta). */
import { layerNorm } from '../autograd/ops/layernorm.js';
import { ones, zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

export class LayerNorm extends Module {
  weight: Tensor;
  bias: Tensor;

  constructor(
    readonly size: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.param('weight', ones([size], { requiresGrad: true }));
    this.bias = this.param('bias', zeros([size], { requiresGrad: true }));
  }

  protected override onParamReplaced(name: string, t: Tensor): void {
    if (name === 'weight') this.weight = t;
    if (name === 'bias') this.bias = t;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}
