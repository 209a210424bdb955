/**
 * USE-Lite with a linear classification head: logits = classifier(embed(text)).
 * Module paths follow Hugging Face's task models: the pretrained encoder
 * under a prefix named after the model (`use_lite.…`, like `roberta.…`) and
 * the head as `classifier` (so PEFT's modulesToSave: ['classifier'] trains
 * and saves it).
 */
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import type { Random } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { UseLiteModel } from './model.js';

/** Where the classifier keeps the pretrained encoder (its parameters read `use_lite.…`). */
export const USE_LITE_PREFIX = 'use_lite';

export interface TextExample {
  text: string;
  textPair?: string;
}

export class UseLiteClassifier extends Module {
  readonly use_lite: UseLiteModel;
  readonly classifier: Linear;
  /** Tokens (after truncation) in the last batch given to `logits`: for throughput figures. */
  lastTokens = 0;

  constructor(
    encoder: UseLiteModel,
    readonly numLabels: number,
    rng: Random,
  ) {
    super();
    if (!Number.isInteger(numLabels) || numLabels < 1)
      throw new Error(`UseLiteClassifier: numLabels must be ≥ 1, got ${numLabels}`);
    this.use_lite = this.module(USE_LITE_PREFIX, encoder);
    this.classifier = this.module('classifier', new Linear(encoder.outputDim, numLabels, { rng }));
  }

  /** Logits [n, numLabels]. A pair is encoded as its two texts joined by a space (USE-Lite has no pair input). */
  logits(examples: readonly TextExample[]): Tensor {
    const texts = examples.map((e) =>
      e.textPair === undefined ? e.text : `${e.text} ${e.textPair}`,
    );
    const batch = this.use_lite.encode(texts);
    let tokens = 0;
    for (let i = 0; i < batch.mask.length; i++) tokens += batch.mask[i]!;
    this.lastTokens = tokens;
    return this.classifier.forward(this.use_lite.forward(batch));
  }
}
