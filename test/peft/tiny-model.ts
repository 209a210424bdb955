/** A two-layer, BERT-shaped toy model for PEFT tests (module paths like Hugging Face's). */
import * as E from '../../src/index.js';
import { Linear, Module, ModuleDict, ModuleList, Random } from '../../src/index.js';

class Layer extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly attnOut: Linear;
  readonly intermediate: Linear;
  readonly output: Linear;
  constructor(d: number, ff: number, rng: Random) {
    super();
    const attention = this.module('attention', new ModuleDict());
    const self = attention.set('self', new ModuleDict());
    this.query = self.set('query', new Linear(d, d, { rng }));
    this.key = self.set('key', new Linear(d, d, { rng }));
    this.value = self.set('value', new Linear(d, d, { rng }));
    this.attnOut = attention
      .set('output', new ModuleDict())
      .set('dense', new Linear(d, d, { rng }));
    this.intermediate = this.module('intermediate', new ModuleDict()).set(
      'dense',
      new Linear(d, ff, { rng }),
    );
    this.output = this.module('output', new ModuleDict()).set('dense', new Linear(ff, d, { rng }));
  }
  forward(x: E.Tensor): E.Tensor {
    const scores = E.softmax(
      E.matmul(this.query.forward(x), this.key.forward(x), { transB: true }),
    );
    const h = E.add(x, this.attnOut.forward(E.matmul(scores, this.value.forward(x))));
    return E.add(h, this.output.forward(E.gelu(this.intermediate.forward(h))));
  }
}

export class TinyModel extends Module {
  readonly layers: ModuleList<Layer>;
  readonly classifier: Linear;
  constructor(seed = 0, d = 8, ff = 12, labels = 3) {
    super();
    const rng = new Random(seed);
    this.layers = this.module('encoder', new ModuleDict()).set(
      'layer',
      new ModuleList([0, 1].map(() => new Layer(d, ff, rng))),
    );
    this.classifier = this.module('classifier', new Linear(d, labels, { rng }));
  }
  forward(x: E.Tensor): E.Tensor {
    let h = x;
    for (const l of this.layers) h = l.forward(h);
    return this.classifier.forward(E.mean(h, 0, { keepDims: true }));
  }
}
