/**
 * RoBERTa for sequence classification. The encoder is BERT's (bert.ts) with
 * RoBERTa's position ids; the model has no pooler, and the head reads the
 * first token (<s>) through its own dense + tanh layer (RobertaClassificationHead).
 */
import { tanh } from '../autograd/ops/elementwise.js';
import { Dropout } from '../nn/dropout.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  BertModel,
  type EncoderInput,
  firstToken,
  initWeights,
  type ModelOptions,
  type SequenceClassifier,
  sequenceClassificationLoss,
} from './bert.js';
import type { ModelConfig } from './config.js';

export class RobertaClassificationHead extends Module {
  readonly dense: Linear;
  readonly dropout: Dropout;
  readonly outProj: Linear;

  constructor(config: ModelConfig, rng: Random) {
    super();
    this.dense = this.module('dense', new Linear(config.hiddenSize, config.hiddenSize));
    this.dropout = this.module('dropout', new Dropout(config.classifierDropout, rng));
    this.outProj = this.module('out_proj', new Linear(config.hiddenSize, config.numLabels));
  }

  /** hidden [B, L, H] → logits [B, numLabels] */
  forward(hidden: Tensor): Tensor {
    let x = this.dropout.forward(firstToken(hidden));
    x = tanh(this.dense.forward(x));
    return this.outProj.forward(this.dropout.forward(x));
  }
}

export class RobertaForSequenceClassification extends Module implements SequenceClassifier {
  readonly roberta: BertModel;
  readonly classifier: RobertaClassificationHead;

  constructor(
    readonly config: ModelConfig,
    options: ModelOptions = {},
  ) {
    super();
    const rng = options.rng ?? new Random(0);
    this.roberta = this.module('roberta', new BertModel(config, { rng, addPoolingLayer: false }));
    this.classifier = this.module('classifier', new RobertaClassificationHead(config, rng));
    if (options.init) initWeights(this, config, rng);
  }

  forward(input: EncoderInput): Tensor {
    return this.classifier.forward(this.roberta.forward(input));
  }

  loss(logits: Tensor, labels: Int32Array | Float32Array): Tensor {
    return sequenceClassificationLoss(this.config, logits, labels);
  }
}
