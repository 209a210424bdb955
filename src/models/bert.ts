/**
 * BERT (and the encoder RoBERTa shares with it), laid out like Hugging Face's
 * modeling_bert.py so that parameter paths are exactly the checkpoint keys:
 * `embeddings.word_embeddings.weight`, `encoder.layer.0.attention.self.query.weight`,
 * … under `bert.` (or `roberta.`) in the classification model.
 *
 * Shapes: B = batch, L = sequence length, H = hidden size, nh = heads, dh = H / nh.
 * Every linear layer is an nn.Linear, so PEFT can find it by its path.
 */
import { dropout } from '../autograd/ops/dropout.js';
import { add, gelu, tanh } from '../autograd/ops/elementwise.js';
import { crossEntropy, mseLoss } from '../autograd/ops/loss.js';
import { matmul } from '../autograd/ops/matmul.js';
import { narrow, permute, reshape } from '../autograd/ops/shape.js';
import { type KeyMask, maskedSoftmax } from '../autograd/ops/softmax.js';
import { ModuleList } from '../nn/containers.js';
import { Dropout } from '../nn/dropout.js';
import { Embedding } from '../nn/embedding.js';
import { LayerNorm } from '../nn/layernorm.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { tensor } from '../tensor/create.js';
import { Random } from '../tensor/random.js';
import { formatShape, type Tensor } from '../tensor/tensor.js';
import type { ModelConfig } from './config.js';

/** A tokenized batch, row-major [batch, seqLen] (the shape a TextTokenizer's encodeBatch returns). */
export interface EncoderInput {
  inputIds: Int32Array;
  /** 1 = token, 0 = padding; all ones when absent. */
  attentionMask?: Uint8Array;
  /** Segment ids; all zeros when absent. */
  tokenTypeIds?: Int32Array;
  batch: number;
  seqLen: number;
}

export interface ModelOptions {
  /** Draws dropout masks (and the initial weights when `init` is set). Default: Random(0). */
  rng?: Random;
  /** Initialise weights as transformers' _init_weights does (N(0, initializer_range)); default zeros. */
  init?: boolean;
}

/** The same position ids for every row: 0 … L−1 (BERT). */
export function bertPositionIds(batch: number, seqLen: number): Int32Array {
  const out = new Int32Array(batch * seqLen);
  for (let b = 0; b < batch; b++) for (let i = 0; i < seqLen; i++) out[b * seqLen + i] = i;
  return out;
}

/**
 * RoBERTa's position ids (transformers' create_position_ids_from_input_ids):
 * non-pad tokens are numbered padding_idx+1, padding_idx+2, … in order; pad
 * tokens get padding_idx. Decided by the ids, not by the attention mask.
 */
export function robertaPositionIds(
  inputIds: Int32Array,
  batch: number,
  seqLen: number,
  paddingIdx: number,
): Int32Array {
  const out = new Int32Array(batch * seqLen);
  for (let b = 0; b < batch; b++) {
    let count = 0;
    for (let i = 0; i < seqLen; i++) {
      const k = b * seqLen + i;
      if (inputIds[k] !== paddingIdx) out[k] = paddingIdx + ++count;
      else out[k] = paddingIdx;
    }
  }
  return out;
}

export function checkInput(input: EncoderInput, config: ModelConfig): void {
  const { batch, seqLen, inputIds, attentionMask, tokenTypeIds } = input;
  if (!Number.isSafeInteger(batch) || !Number.isSafeInteger(seqLen) || batch < 1 || seqLen < 1) {
    throw new Error(
      `model input: batch and seqLen must be positive integers, got ${batch} and ${seqLen}`,
    );
  }
  const n = batch * seqLen;
  const arr = (name: string, a: unknown, type: string, ok: boolean): void => {
    if (!ok) throw new Error(`model input: ${name} must be ${type}`);
    if ((a as ArrayLike<number>).length !== n) {
      throw new Error(
        `model input: ${name} has ${(a as ArrayLike<number>).length} entries, batch × seqLen = ${batch}×${seqLen} = ${n}`,
      );
    }
  };
  arr('inputIds', inputIds, 'an Int32Array', inputIds instanceof Int32Array);
  if (attentionMask !== undefined)
    arr('attentionMask', attentionMask, 'a Uint8Array', attentionMask instanceof Uint8Array);
  if (tokenTypeIds !== undefined)
    arr('tokenTypeIds', tokenTypeIds, 'an Int32Array', tokenTypeIds instanceof Int32Array);
  for (let i = 0; i < n; i++) {
    const id = inputIds[i]!;
    if (id < 0 || id >= config.vocabSize) {
      throw new Error(
        `model input: token id ${id} at [${Math.floor(i / seqLen)}, ${i % seqLen}] is outside the vocabulary (vocab_size ${config.vocabSize})`,
      );
    }
    const tt = tokenTypeIds?.[i] ?? 0;
    if (tt < 0 || tt >= config.typeVocabSize) {
      throw new Error(
        `model input: token type id ${tt} at [${Math.floor(i / seqLen)}, ${i % seqLen}] is outside [0, ${config.typeVocabSize}) (type_vocab_size)`,
      );
    }
  }
  const needed = config.modelType === 'roberta' ? seqLen + (config.padTokenId ?? 0) + 1 : seqLen;
  if (needed > config.maxPositionEmbeddings) {
    throw new Error(
      `model input: ${seqLen} tokens per row exceed what max_position_embeddings ${config.maxPositionEmbeddings} allows`,
    );
  }
}

export class BertEmbeddings extends Module {
  readonly wordEmbeddings: Embedding;
  readonly positionEmbeddings: Embedding;
  readonly tokenTypeEmbeddings: Embedding;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(
    readonly config: ModelConfig,
    rng: Random,
  ) {
    super();
    const h = config.hiddenSize;
    this.wordEmbeddings = this.module('word_embeddings', new Embedding(config.vocabSize, h));
    this.positionEmbeddings = this.module(
      'position_embeddings',
      new Embedding(config.maxPositionEmbeddings, h),
    );
    this.tokenTypeEmbeddings = this.module(
      'token_type_embeddings',
      new Embedding(config.typeVocabSize, h),
    );
    this.layerNorm = this.module('LayerNorm', new LayerNorm(h, config.layerNormEps));
    this.dropout = this.module('dropout', new Dropout(config.hiddenDropoutProb, rng));
  }

  /** [B, L, H] */
  forward(input: EncoderInput): Tensor {
    const { batch, seqLen, inputIds } = input;
    const shape = [batch, seqLen];
    const positions =
      this.config.modelType === 'roberta'
        ? robertaPositionIds(inputIds, batch, seqLen, this.config.padTokenId ?? 0)
        : bertPositionIds(batch, seqLen);
    const types = input.tokenTypeIds ?? new Int32Array(batch * seqLen);
    let x = add(
      this.wordEmbeddings.forward(inputIds, shape),
      this.tokenTypeEmbeddings.forward(types, shape),
    );
    x = add(x, this.positionEmbeddings.forward(positions, shape));
    return this.dropout.forward(this.layerNorm.forward(x));
  }
}

export class BertSelfAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;

  constructor(
    readonly config: ModelConfig,
    private readonly rng: Random,
  ) {
    super();
    const h = config.hiddenSize;
    this.query = this.module('query', new Linear(h, h));
    this.key = this.module('key', new Linear(h, h));
    this.value = this.module('value', new Linear(h, h));
  }

  /** x [B, L, H] → context [B, L, H] */
  forward(x: Tensor, mask: KeyMask | null): Tensor {
    const [B, L, H] = x.shape as [number, number, number];
    const nh = this.config.numAttentionHeads;
    const dh = H / nh;
    const heads = (t: Tensor): Tensor => permute(reshape(t, [B, L, nh, dh]), [0, 2, 1, 3]); // [B, nh, L, dh]
    const q = heads(this.query.forward(x));
    const k = heads(this.key.forward(x));
    const v = heads(this.value.forward(x));
    const scores = matmul(q, k, { transB: true }); // [B, nh, L, L]
    let probs = maskedSoftmax(scores, mask, 1 / Math.sqrt(dh));
    probs = dropout(probs, this.config.attentionProbsDropoutProb, this.rng, this.training);
    const ctx = matmul(probs, v); // [B, nh, L, dh]
    return reshape(permute(ctx, [0, 2, 1, 3]), [B, L, H]);
  }
}

/** dense → dropout → LayerNorm(· + residual): BertSelfOutput and BertOutput. */
export class BertResidualOutput extends Module {
  readonly dense: Linear;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(config: ModelConfig, inFeatures: number, rng: Random) {
    super();
    this.dense = this.module('dense', new Linear(inFeatures, config.hiddenSize));
    this.layerNorm = this.module(
      'LayerNorm',
      new LayerNorm(config.hiddenSize, config.layerNormEps),
    );
    this.dropout = this.module('dropout', new Dropout(config.hiddenDropoutProb, rng));
  }

  forward(x: Tensor, residual: Tensor): Tensor {
    return this.layerNorm.forward(add(this.dropout.forward(this.dense.forward(x)), residual));
  }
}

export class BertAttention extends Module {
  readonly self: BertSelfAttention;
  readonly output: BertResidualOutput;

  constructor(config: ModelConfig, rng: Random) {
    super();
    this.self = this.module('self', new BertSelfAttention(config, rng));
    this.output = this.module('output', new BertResidualOutput(config, config.hiddenSize, rng));
  }

  forward(x: Tensor, mask: KeyMask | null): Tensor {
    return this.output.forward(this.self.forward(x, mask), x);
  }
}

export class BertIntermediate extends Module {
  readonly dense: Linear;

  constructor(readonly config: ModelConfig) {
    super();
    this.dense = this.module('dense', new Linear(config.hiddenSize, config.intermediateSize));
  }

  forward(x: Tensor): Tensor {
    return gelu(this.dense.forward(x), this.config.hiddenAct === 'gelu' ? 'none' : 'tanh');
  }
}

export class BertLayer extends Module {
  readonly attention: BertAttention;
  readonly intermediate: BertIntermediate;
  readonly output: BertResidualOutput;

  constructor(config: ModelConfig, rng: Random) {
    super();
    this.attention = this.module('attention', new BertAttention(config, rng));
    this.intermediate = this.module('intermediate', new BertIntermediate(config));
    this.output = this.module(
      'output',
      new BertResidualOutput(config, config.intermediateSize, rng),
    );
  }

  forward(x: Tensor, mask: KeyMask | null): Tensor {
    const a = this.attention.forward(x, mask);
    return this.output.forward(this.intermediate.forward(a), a);
  }
}

export class BertEncoder extends Module {
  readonly layer: ModuleList<BertLayer>;

  constructor(config: ModelConfig, rng: Random) {
    super();
    const layers = Array.from({ length: config.numHiddenLayers }, () => new BertLayer(config, rng));
    this.layer = this.module('layer', new ModuleList(layers));
  }

  forward(x: Tensor, mask: KeyMask | null): Tensor {
    for (const l of this.layer.items) x = l.forward(x, mask);
    return x;
  }
}

/** The first token's hidden state: [B, L, H] → [B, H]. */
export function firstToken(x: Tensor): Tensor {
  const [B, , H] = x.shape as [number, number, number];
  return reshape(narrow(x, 1, 0, 1), [B, H]);
}

export class BertPooler extends Module {
  readonly dense: Linear;

  constructor(config: ModelConfig) {
    super();
    this.dense = this.module('dense', new Linear(config.hiddenSize, config.hiddenSize));
  }

  forward(hidden: Tensor): Tensor {
    return tanh(this.dense.forward(firstToken(hidden)));
  }
}

/** The bare encoder (BertModel / RobertaModel): hidden states [B, L, H]. */
export class BertModel extends Module {
  readonly embeddings: BertEmbeddings;
  readonly encoder: BertEncoder;
  readonly pooler: BertPooler | null;
  readonly rng: Random;

  constructor(
    readonly config: ModelConfig,
    options: ModelOptions & { addPoolingLayer?: boolean } = {},
  ) {
    super();
    this.rng = options.rng ?? new Random(0);
    this.embeddings = this.module('embeddings', new BertEmbeddings(config, this.rng));
    this.encoder = this.module('encoder', new BertEncoder(config, this.rng));
    this.pooler =
      options.addPoolingLayer === false ? null : this.module('pooler', new BertPooler(config));
    if (options.init) initWeights(this, config, this.rng);
  }

  forward(input: EncoderInput): Tensor {
    checkInput(input, this.config);
    const mask = input.attentionMask
      ? { mask: input.attentionMask, batch: input.batch, keys: input.seqLen }
      : null;
    return this.encoder.forward(this.embeddings.forward(input), mask);
  }
}

/** What a sequence classification model offers to trainers and `edora predict`. */
export interface SequenceClassifier extends Module {
  readonly config: ModelConfig;
  /** Logits [B, numLabels]. */
  forward(input: EncoderInput): Tensor;
  /** The training loss for `labels` (class ids, or targets for regression). */
  loss(logits: Tensor, labels: Int32Array | Float32Array): Tensor;
}

/**
 * transformers' loss choice: regression (MSE) when problem_type says so or
 * num_labels is 1, otherwise single-label cross-entropy.
 */
export function sequenceClassificationLoss(
  config: ModelConfig,
  logits: Tensor,
  labels: Int32Array | Float32Array,
): Tensor {
  const B = logits.shape[0]!;
  const problem =
    config.problemType ?? (config.numLabels === 1 ? 'regression' : 'single_label_classification');
  if (problem === 'regression') {
    // One target per row, or numLabels targets per row (row-major) for multi-output regression.
    const pred = config.numLabels === 1 ? reshape(logits, [B]) : logits;
    if (labels.length !== pred.size) {
      throw new Error(
        `loss: ${labels.length} regression targets for logits ${formatShape(logits.shape)} (expected ${pred.size})`,
      );
    }
    return mseLoss(pred, tensor(labels, pred.shape, { dtype: logits.dtype }));
  }
  if (labels.length !== B) throw new Error(`loss: ${labels.length} labels for a batch of ${B}`);
  if (problem === 'multi_label_classification') {
    throw new Error('loss: problem_type multi_label_classification is not supported yet');
  }
  const ids = labels instanceof Int32Array ? labels : Int32Array.from(labels);
  if (labels instanceof Float32Array && !labels.every(Number.isInteger)) {
    throw new Error('loss: classification labels must be integer class ids');
  }
  return crossEntropy(logits, ids);
}

/** BertForSequenceClassification: pooled output → dropout → classifier. */
export class BertForSequenceClassification extends Module implements SequenceClassifier {
  readonly bert: BertModel;
  readonly dropout: Dropout;
  readonly classifier: Linear;

  constructor(
    readonly config: ModelConfig,
    options: ModelOptions = {},
  ) {
    super();
    const rng = options.rng ?? new Random(0);
    this.bert = this.module('bert', new BertModel(config, { rng }));
    this.dropout = this.module('dropout', new Dropout(config.classifierDropout, rng));
    this.classifier = this.module('classifier', new Linear(config.hiddenSize, config.numLabels));
    if (options.init) initWeights(this, config, rng);
  }

  forward(input: EncoderInput): Tensor {
    const pooled = this.bert.pooler!.forward(this.bert.forward(input));
    return this.classifier.forward(this.dropout.forward(pooled));
  }

  loss(logits: Tensor, labels: Int32Array | Float32Array): Tensor {
    return sequenceClassificationLoss(this.config, logits, labels);
  }
}

/**
 * transformers' _init_weights for BERT-like models: linear and embedding
 * weights N(0, initializer_range), biases 0, the padding row of embeddings
 * with a padding_idx zeroed, LayerNorm 1 and 0. Applied to `paths` only when given.
 */
export function initWeights(
  root: Module,
  config: ModelConfig,
  rng: Random,
  paths?: ReadonlySet<string>,
): void {
  const normal = (t: Tensor): void => rng.fillNormal(t.data, 0, config.initializerRange);
  for (const [path, m] of root.namedModules()) {
    const want = (name: string): boolean => !paths || paths.has(path ? `${path}.${name}` : name);
    if (m instanceof Linear) {
      if (want('weight')) normal(m.weight);
      if (m.bias && want('bias')) m.bias.data.fill(0);
    } else if (m instanceof Embedding && want('weight')) {
      normal(m.weight);
      const pad = config.padTokenId;
      const hasPaddingIdx =
        path.endsWith('word_embeddings') ||
        (config.modelType === 'roberta' && path.endsWith('position_embeddings'));
      if (hasPaddingIdx && pad !== null && pad < m.numEmbeddings)
        m.weight.data.fill(0, pad * m.embeddingDim, (pad + 1) * m.embeddingDim);
    } else if (m instanceof LayerNorm) {
      if (want('weight')) m.weight.data.fill(1);
      if (want('bias')) m.bias.data.fill(0);
    }
  }
}
