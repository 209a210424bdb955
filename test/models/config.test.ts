/** config.json validation: transformers' defaults and one clear error per bad field. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseModelConfig } from '../../src/models/config.js';

const base = {
  model_type: 'bert',
  vocab_size: 100,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 64,
};

test('defaults follow BertConfig / RobertaConfig and PretrainedConfig', () => {
  const c = parseModelConfig(base);
  assert.equal(c.hiddenAct, 'gelu');
  assert.equal(c.layerNormEps, 1e-12);
  assert.equal(c.maxPositionEmbeddings, 512);
  assert.equal(c.typeVocabSize, 2);
  assert.equal(c.padTokenId, 0);
  assert.equal(c.numLabels, 2);
  assert.deepEqual(c.id2label, ['LABEL_0', 'LABEL_1']);
  assert.deepEqual(c.label2id, { LABEL_0: 0, LABEL_1: 1 });
  assert.equal(c.classifierDropout, 0.1);
  assert.equal(c.problemType, null);
  assert.equal(parseModelConfig({ ...base, model_type: 'roberta' }).padTokenId, 1);
  assert.equal(parseModelConfig({ ...base, hidden_act: 'gelu_new' }).hiddenAct, 'gelu_tanh');
  assert.equal(parseModelConfig({ ...base, num_labels: 1 }).numLabels, 1);
  // id2label wins over num_labels, as in PretrainedConfig.
  const l = parseModelConfig({
    ...base,
    num_labels: 5,
    id2label: { '1': 'pos', '0': 'neg' },
    classifier_dropout: 0.3,
  });
  assert.equal(l.numLabels, 2);
  assert.deepEqual(l.id2label, ['neg', 'pos']);
  assert.equal(l.classifierDropout, 0.3);
});

test('each bad field is named', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [
      { model_type: 'gpt2' },
      /config\.json: field 'model_type' must be 'bert' or 'roberta', got "gpt2"/,
    ],
    [
      { hidden_size: undefined },
      /field 'hidden_size' must be an integer in \[1, 65536\], got nothing/,
    ],
    [{ hidden_size: 30 }, /hidden_size 30 is not a multiple of num_attention_heads 4/],
    [
      { num_hidden_layers: 1.5 },
      /field 'num_hidden_layers' must be an integer in \[1, 1024\], got 1\.5/,
    ],
    [
      { hidden_act: 'relu' },
      /field 'hidden_act' must be 'gelu', 'gelu_new' or 'gelu_pytorch_tanh', got "relu"/,
    ],
    [{ layer_norm_eps: -1 }, /field 'layer_norm_eps' must be a positive number/],
    [{ pad_token_id: 100 }, /field 'pad_token_id' must be null or an integer in \[0, 100\)/],
    [
      { model_type: 'roberta', pad_token_id: null },
      /field 'pad_token_id' must be an integer \(RoBERTa/,
    ],
    [{ id2label: { '0': 'a', '2': 'b' } }, /id2label key '2' must be an id in \[0, 2\)/],
    [{ id2label: { '0': 1 } }, /id2label\['0'\] must be a string/],
    [{ id2label: {} }, /field 'id2label' must be a non-empty object/],
    [{ label2id: { a: 7 } }, /label2id\['a'\] must be an id in \[0, 2\)/],
    [{ problem_type: 'ranking' }, /field 'problem_type' must be null, 'regression'/],
    [{ hidden_dropout_prob: 1 }, /field 'hidden_dropout_prob' must be a probability in \[0, 1\)/],
    [
      { position_embedding_type: 'relative_key' },
      /field 'position_embedding_type' must be 'absolute'/,
    ],
  ];
  for (const [patch, re] of bad) assert.throws(() => parseModelConfig({ ...base, ...patch }), re);
  assert.throws(
    () => parseModelConfig([1], 'x/config.json'),
    /x\/config\.json: must hold a JSON object/,
  );
});

test('absurd sizes are refused by name before anything is allocated', () => {
  // Each bound sits far above any released BERT/RoBERTa (XLM-R: 250,002
  // words; the largest: 4,096 hidden, 48 layers) and far below what a typo
  // such as 1e9 would ask the allocator for.
  const bad: [Record<string, unknown>, string][] = [
    [
      { num_hidden_layers: 1e7 },
      "field 'num_hidden_layers' must be an integer in [1, 1024], got 10000000",
    ],
    [
      { hidden_size: 1e9, num_attention_heads: 1 },
      "field 'hidden_size' must be an integer in [1, 65536], got 1000000000",
    ],
    [
      { vocab_size: 2 ** 21 + 1 },
      "field 'vocab_size' must be an integer in [1, 2097152], got 2097153",
    ],
    [
      { intermediate_size: 1e12 },
      "field 'intermediate_size' must be an integer in [1, 262144], got 1000000000000",
    ],
    [
      { num_attention_heads: 2 ** 17 },
      "field 'num_attention_heads' must be an integer in [1, 65536], got 131072",
    ],
    [
      { max_position_embeddings: 1e8 },
      "field 'max_position_embeddings' must be an integer in [1, 1048576], got 100000000",
    ],
    [
      { type_vocab_size: 1e6 },
      "field 'type_vocab_size' must be an integer in [1, 1024], got 1000000",
    ],
    [{ num_labels: 1e9 }, "field 'num_labels' must be an integer in [1, 65536], got 1000000000"],
  ];
  for (const [patch, message] of bad) {
    assert.throws(() => parseModelConfig({ ...base, ...patch }, 'm/config.json'), {
      message: `m/config.json: ${message}`,
    });
  }
  // The bounds themselves are accepted.
  const top = parseModelConfig({
    ...base,
    vocab_size: 2 ** 21,
    hidden_size: 2 ** 16,
    num_attention_heads: 2 ** 16,
    num_hidden_layers: 1024,
    intermediate_size: 2 ** 18,
    max_position_embeddings: 2 ** 20,
    type_vocab_size: 1024,
    num_labels: 2 ** 16,
  });
  assert.equal(top.numLabels, 2 ** 16);
});
