/**
 * Tiny byte-level BPE vocabularies (RoBERTa and GPT-2 layouts, vocab.json + merges.txt) and a
 * tiny Llama-style tokenizer.json (▁ word marks, byte fallback). Expected ids are derived by
 * hand from the merges: BPE applies the lowest-ranked adjacent pair first.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadTokenizer } from '../../../src/io/tokenizers/index.js';
import { tempDir } from './refs.js';

// Byte-level BPE writes a space as 'Ġ'.
// 0 <s>  1 <pad>  2 </s>  3 <unk>  4 <mask>  5 h  6 i  7 Ġ  8 t  9 e  10 r  11 hi  12 Ġt  13 Ġth
// 14 er  15 Ġther  16 Ġthere
const BYTE_VOCAB = '<s> <pad> </s> <unk> <mask> h i Ġ t e r hi Ġt Ġth er Ġther Ġthere'.split(' ');
// " there" → Ġ t h e r e → Ġt h e r e → Ġth e r e → Ġth er e → Ġther e → Ġthere (id 16);
// "there" → t h e r e → t h er e (ids 8 5 14 9): no merge starts with a bare 't'.
const MERGES = '#version: 0.2\nh i\nĠ t\nĠt h\ne r\nĠth er\nĠther e\n';
const vocabJson = JSON.stringify(Object.fromEntries(BYTE_VOCAB.map((t, i) => [t, i])));

const roberta = tempDir({ 'vocab.json': vocabJson, 'merges.txt': MERGES });
const gpt2 = tempDir({
  'vocab.json': vocabJson,
  'merges.txt': MERGES,
  'tokenizer_config.json': JSON.stringify({ tokenizer_class: 'GPT2Tokenizer', eos_token: '</s>' }),
});

// ▁ marks a word start; <0x21> is the byte piece for '!'.
// 0 <unk>  1 <s>  2 </s>  3 <0x21>  4 ▁  5 a  6 b  7 ▁a  8 ▁ab
const LLAMA_VOCAB = '<unk> <s> </s> <0x21> ▁ a b ▁a ▁ab'.split(' ');
function llamaJson(): Record<string, unknown> {
  return {
    version: '1.0',
    added_tokens: [0, 1, 2].map((id) => ({
      id,
      content: LLAMA_VOCAB[id],
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab: Object.fromEntries(LLAMA_VOCAB.map((t, i) => [t, i])),
      merges: ['▁ a', '▁a b'],
    },
  };
}
const llama = tempDir({ 'tokenizer.json': JSON.stringify(llamaJson()) });
const llamaEos = tempDir({
  'tokenizer.json': JSON.stringify(llamaJson()),
  'tokenizer_config.json': JSON.stringify({
    tokenizer_class: 'LlamaTokenizer',
    add_bos_token: true,
    add_eos_token: true,
    bos_token: '<s>',
    eos_token: { content: '</s>', __type: 'AddedToken' },
    model_max_length: 1e30,
  }),
});

after(() => {
  for (const d of [roberta, gpt2, llama, llamaEos]) d.remove();
});

test('RoBERTa layout (found by <s>, </s> in vocab.json): <s> a </s>, pairs <s> a </s></s> b </s>', () => {
  const tok = loadTokenizer(roberta.dir);
  assert.equal(tok.vocabSize, 17);
  assert.equal(tok.padId, 1);
  assert.deepEqual(tok.encode('hi there').ids, [0, 11, 16, 2]);
  assert.deepEqual(tok.encode('hi there').tokens, ['<s>', 'hi', 'Ġthere', '</s>']);
  const p = tok.encode('hi', 'there');
  assert.deepEqual(p.ids, [0, 11, 2, 2, 8, 5, 14, 9, 2]);
  assert.deepEqual(p.tokenTypeIds, [0, 0, 0, 0, 0, 0, 0, 0, 0], 'RoBERTa has one token type');
  // Room for 2 after 4 specials: 2 + 4 tokens are cut to 1 + 1.
  assert.deepEqual(tok.encode('hi there', 'there', { maxLength: 6 }).ids, [0, 11, 2, 2, 8, 2]);
  // <mask> takes the space before it (lstrip), as in RoBERTa.
  assert.deepEqual(tok.encode('hi <mask>').ids, [0, 11, 4, 2]);
  assert.equal(tok.decode([0, 11, 16, 2, 1, 1]), 'hi there');
});

test('RoBERTa layout: modelType roberta gives zero type ids in batches too', () => {
  const tok = loadTokenizer(roberta.dir, { modelType: 'roberta' });
  const b = tok.encodeBatch(['hi', 'hi there'], ['there', 'hi']);
  assert.equal(b.seqLen, 9);
  assert.deepEqual([...b.inputIds], [0, 11, 2, 2, 8, 5, 14, 9, 2, 0, 11, 16, 2, 2, 11, 2, 1, 1]);
  assert.deepEqual([...b.tokenTypeIds], new Array(18).fill(0));
  assert.deepEqual([...b.attentionMask], [...new Array(16).fill(1), 0, 0]);
});

test('GPT-2 layout: no special tokens, pairs typed 0 then 1', () => {
  for (const tok of [loadTokenizer(gpt2.dir), loadTokenizer(roberta.dir, { modelType: 'gpt2' })]) {
    assert.deepEqual(tok.encode('hi there').ids, [11, 16]);
    const p = tok.encode('hi', 'there');
    assert.deepEqual(p.ids, [11, 8, 5, 14, 9]);
    assert.deepEqual(p.tokenTypeIds, [0, 1, 1, 1, 1]);
    assert.deepEqual(tok.encode('hi there', 'there', { maxLength: 3 }).ids, [11, 8, 5]);
  }
  // No pad_token in the config: a '<pad>' in the vocabulary is used (the real GPT-2 has none
  // and pads with <|endoftext|>; see gpt2-reference.test.ts).
  assert.equal(loadTokenizer(gpt2.dir).padId, 1);
});

test('Llama tokenizer.json: ▁ word marks, merges by rank, byte fallback, <s> template', () => {
  const tok = loadTokenizer(llama.dir);
  // "ab ab!" → ▁ab▁ab! → ▁a b ▁a b ! → ▁ab ▁ab !, and '!' falls back to the byte <0x21>.
  const e = tok.encode('ab ab!');
  assert.deepEqual(e.ids, [1, 8, 8, 3]);
  assert.deepEqual(e.tokens, ['<s>', '▁ab', '▁ab', '<0x21>']);
  const p = tok.encode('ab', 'a');
  assert.deepEqual(p.ids, [1, 8, 1, 7]);
  assert.deepEqual(p.tokenTypeIds, [0, 0, 1, 1]);
  assert.equal(tok.decode([1, 8, 8, 3]), 'ab ab!');
  assert.equal(tok.padId, 2, 'no pad token: pads with </s>');
});

test('Llama tokenizer_config add_eos_token rewrites the template, as LlamaTokenizerFast does', () => {
  const tok = loadTokenizer(llamaEos.dir);
  assert.equal(tok.modelMaxLength, undefined);
  assert.deepEqual(tok.encode('ab ab!').ids, [1, 8, 8, 3, 2]);
  const p = tok.encode('ab', 'a');
  assert.deepEqual(p.ids, [1, 8, 2, 1, 7, 2]);
  assert.deepEqual(p.tokenTypeIds, [0, 0, 0, 1, 1, 1]);
  // Room for 1 after 4 specials: 1 + 1 tokens become 0 + 1.
  assert.deepEqual(tok.encode('ab', 'a', { maxLength: 5 }).ids, [1, 2, 1, 7, 2]);
});
