/**
 * Tiny random BERT and RoBERTa checkpoints in the Hugging Face layout
 * (config.json, model.safetensors, tokenizer.json, tokenizer_config.json),
 * for tests that need a real model directory without a download. Test code,
 * not part of the library (test/fixtures/models/make-fixtures.ts writes the
 * committed fixtures with it).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { makeDir } from '../../src/io/make-dir.js';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { initWeights } from '../../src/models/bert.js';
import { type ModelConfig, parseModelConfig } from '../../src/models/config.js';
import { createModel } from '../../src/models/load.js';
import { Random } from '../../src/tensor/random.js';
import { byteLevelBpeTokenizerJson, wordPieceTokenizerJson } from './fixture-tokenizers.js';

export interface TinyCheckpointOptions {
  modelType: 'bert' | 'roberta';
  seed?: number;
  /** Label names (default negative, positive); one label makes a regression model. */
  labels?: string[];
  hiddenSize?: number;
  numHiddenLayers?: number;
  numAttentionHeads?: number;
  intermediateSize?: number;
  hiddenAct?: 'gelu' | 'gelu_new';
  /** Longest input in tokens, special tokens included (default 32). */
  maxLength?: number;
}

/** Write a tiny random checkpoint into `dir` (created if needed); returns its config. */
export function writeTinyCheckpoint(dir: string, options: TinyCheckpointOptions): ModelConfig {
  const roberta = options.modelType === 'roberta';
  const { json: tokenizer, vocabSize } = roberta
    ? byteLevelBpeTokenizerJson()
    : wordPieceTokenizerJson();
  const labels = options.labels ?? ['negative', 'positive'];
  const maxLength = options.maxLength ?? 32;
  const padTokenId = roberta ? 1 : 0;
  const raw = {
    architectures: [roberta ? 'RobertaForSequenceClassification' : 'BertForSequenceClassification'],
    model_type: options.modelType,
    vocab_size: vocabSize,
    hidden_size: options.hiddenSize ?? 32,
    num_hidden_layers: options.numHiddenLayers ?? 2,
    num_attention_heads: options.numAttentionHeads ?? 4,
    intermediate_size: options.intermediateSize ?? 64,
    hidden_act: options.hiddenAct ?? 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    // RoBERTa's positions start after padding_idx, hence the extra rows.
    max_position_embeddings: roberta ? maxLength + padTokenId + 1 : maxLength,
    type_vocab_size: roberta ? 1 : 2,
    initializer_range: 0.2,
    layer_norm_eps: roberta ? 1e-5 : 1e-12,
    pad_token_id: padTokenId,
    bos_token_id: roberta ? 0 : undefined,
    eos_token_id: roberta ? 2 : undefined,
    position_embedding_type: 'absolute',
    classifier_dropout: null,
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    problem_type: labels.length === 1 ? 'regression' : 'single_label_classification',
  };
  const config = parseModelConfig(JSON.parse(JSON.stringify(raw)), join(dir, 'config.json'));
  const rng = new Random(options.seed ?? 0);
  const model = createModel(config, 'sequence-classification', rng);
  initWeights(model, config, rng);
  // Non-trivial LayerNorm parameters, so that a test notices if they are ignored.
  for (const [name, t] of model.namedParameters()) {
    if (name.endsWith('LayerNorm.weight')) rng.fillNormal(t.data, 1, 0.1);
    if (name.endsWith('LayerNorm.bias')) rng.fillNormal(t.data, 0, 0.1);
  }
  makeDir(dir);
  writeSafetensors(join(dir, 'model.safetensors'), model.stateDict(), { format: 'pt' });
  writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(raw, null, 2)}\n`);
  writeFileAtomic(join(dir, 'tokenizer.json'), `${JSON.stringify(tokenizer, null, 2)}\n`);
  const tokConfig = roberta
    ? {
        tokenizer_class: 'RobertaTokenizer',
        model_max_length: maxLength,
        bos_token: '<s>',
        eos_token: '</s>',
        sep_token: '</s>',
        cls_token: '<s>',
        unk_token: '<unk>',
        pad_token: '<pad>',
        mask_token: '<mask>',
        add_prefix_space: false,
      }
    : {
        tokenizer_class: 'BertTokenizer',
        model_max_length: maxLength,
        do_lower_case: true,
        unk_token: '[UNK]',
        sep_token: '[SEP]',
        pad_token: '[PAD]',
        cls_token: '[CLS]',
        mask_token: '[MASK]',
      };
  writeFileAtomic(join(dir, 'tokenizer_config.json'), `${JSON.stringify(tokConfig, null, 2)}\n`);
  return config;
}
