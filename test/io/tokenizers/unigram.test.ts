/**
 * A tiny Unigram tokenizer.json (T5 / XLM-R style: ▁ word marks, scored pieces, "$A </s>").
 * Unigram picks the segmentation with the highest total score; the expected ids are worked out
 * by hand from the scores below.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadTokenizer } from '../../../src/io/tokenizers/index.js';
import { tempDir } from './refs.js';

// 0 <unk>  1 <pad>  2 </s>  3 ▁  4 a  5 b  6 ▁a  7 ▁ab
const PIECES: [string, number][] = [
  ['<unk>', 0],
  ['<pad>', 0],
  ['</s>', 0],
  ['▁', -3],
  ['a', -3],
  ['b', -2.5],
  ['▁a', -1],
  ['▁ab', -1.5],
];

const dir = tempDir({
  'tokenizer.json': JSON.stringify({
    version: '1.0',
    added_tokens: [0, 1, 2].map((id) => ({
      id,
      content: PIECES[id]![0],
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '</s>', type_id: 1 } },
      ],
      special_tokens: { '</s>': { id: '</s>', ids: [2], tokens: ['</s>'] } },
    },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 0, vocab: PIECES, byte_fallback: false },
  }),
  'tokenizer_config.json': JSON.stringify({
    eos_token: '</s>',
    pad_token: '<pad>',
    unk_token: '<unk>',
  }),
});
after(() => dir.remove());

test('Unigram: the best-scoring segmentation, unknown characters, "$A </s>"', () => {
  const tok = loadTokenizer(dir.dir);
  assert.equal(tok.vocabSize, 8);
  assert.equal(tok.padId, 1);
  // ▁ab: [▁ab] −1.5 beats [▁a b] −3.5 and [▁ a b] −8.5.
  assert.deepEqual(tok.encode('ab').ids, [7, 2]);
  // ▁abb: [▁ab b] −4 beats [▁a b b] −6.
  assert.deepEqual(tok.encode('abb').ids, [7, 5, 2]);
  // ▁ab▁c: 'c' is no piece, so ▁ then <unk>.
  assert.deepEqual(tok.encode('ab c').ids, [7, 3, 0, 2]);
  const p = tok.encode('ab', 'abb');
  assert.deepEqual(p.ids, [7, 2, 7, 5, 2]);
  assert.deepEqual(p.tokenTypeIds, [0, 0, 1, 1, 1]);
  // Room for 1 after 2 specials.
  assert.deepEqual(tok.encode('abb ab', undefined, { maxLength: 2 }).ids, [7, 2]);
  assert.equal(tok.decode([7, 5, 6, 2, 1]), 'abb a');
});
