/** nn.Dropout: active in training mode only; masks drawn from the given generator. */
import { dropout } from '../autograd/ops/dropout.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

export class Dropout extends Module {
  constructor(
    readonly p: number,
    readonly rng: Random,
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.rng, this.training);
  }
}
