/** nn.Embedding: rows of a [vocab, dim] table. */
import { embedding } from '../autograd/ops/embedding.js';
import { randn, zeros } from '../tensor/create.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

export class Embedding extends Module {
  weight: Tensor;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: { rng?: Random } = {},
  ) {
    super();
    this.weight = this.param(
      'weight',
      options.rng
        ? randn([numEmbeddings, embeddingDim], options.rng)
        : zeros([numEmbeddings, embeddingDim]),
    );
    this.weight.requiresGrad = true;
  }

  protected override onParamReplaced(name: string, t: Tensor): void {
    if (name === 'weight') this.weight = t;
  }

  forward(ids: Int32Array, shape: readonly number[] = [ids.length]): Tensor {
    return embedding(this.weight, ids, shape);
  }
}
