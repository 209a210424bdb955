/**
 * A tiny WordPiece tokenizer, as tokenizer.json and as vocab.txt. Every expected id below is
 * read off the vocabulary by hand.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadTokenizer } from '../../../src/io/tokenizers/index.js';
import { bertWordPieceJson } from '../../helpers/fixture-tokenizers.js';
import { tempDir } from './refs.js';

// 0 [PAD]  1 [UNK]  2 [CLS]  3 [SEP]  4 [MASK]  5 the  6 cat  7 sat  8 on  9 mat  10 ##s  11 .
// 12 un  13 ##aff  14 ##able  15 dog  16 ,  17 cafe
const VOCAB =
  '[PAD] [UNK] [CLS] [SEP] [MASK] the cat sat on mat ##s . un ##aff ##able dog , cafe'.split(' ');

function tokenizerJson(): Record<string, unknown> {
  return bertWordPieceJson(VOCAB, VOCAB.slice(0, 5), {
    type: 'BertProcessing',
    sep: ['[SEP]', 3],
    cls: ['[CLS]', 2],
  });
}

const fast = tempDir({
  'tokenizer.json': JSON.stringify(tokenizerJson()),
  'tokenizer_config.json': JSON.stringify({ model_max_length: 16, do_lower_case: true }),
});
const slow = tempDir({ 'vocab.txt': `${VOCAB.join('\n')}\n` });
const cased = tempDir({
  'vocab.txt': VOCAB.join('\n'),
  'tokenizer_config.json': JSON.stringify({ do_lower_case: false }),
});
after(() => {
  fast.remove();
  slow.remove();
  cased.remove();
});

for (const [layout, dir] of [
  ['tokenizer.json', fast.dir],
  ['vocab.txt', slow.dir],
] as const) {
  const tok = loadTokenizer(dir);

  test(`WordPiece (${layout}): single text, lowercasing, ## pieces, accents, unknown words`, () => {
    assert.equal(tok.vocabSize, 18);
    assert.equal(tok.padId, 0);
    const e = tok.encode('The cats sat.');
    assert.deepEqual(e.ids, [2, 5, 6, 10, 7, 11, 3]);
    assert.deepEqual(e.tokens, ['[CLS]', 'the', 'cat', '##s', 'sat', '.', '[SEP]']);
    assert.deepEqual(e.tokenTypeIds, [0, 0, 0, 0, 0, 0, 0]);
    const ids = (s: string) => tok.encode(s, undefined, { addSpecialTokens: false }).ids;
    assert.deepEqual(ids('Unaffable CAFÉ'), [12, 13, 14, 17]);
    assert.deepEqual(ids('dogs,mats'), [15, 10, 16, 9, 10]);
    assert.deepEqual(ids('the xyz cat'), [5, 1, 6]);
    assert.deepEqual(ids('the [MASK] sat'), [5, 4, 7]);
    assert.deepEqual(ids(''), []);
  });

  test(`WordPiece (${layout}): pairs are [CLS] a [SEP] b [SEP], types 0 then 1`, () => {
    const e = tok.encode('the cat', 'sat on the mat');
    assert.deepEqual(e.ids, [2, 5, 6, 3, 7, 8, 5, 9, 3]);
    assert.deepEqual(e.tokenTypeIds, [0, 0, 0, 0, 1, 1, 1, 1, 1]);
    const bare = tok.encode('the cat', 'sat', { addSpecialTokens: false });
    assert.deepEqual(bare.ids, [5, 6, 7]);
    assert.deepEqual(bare.tokenTypeIds, [0, 0, 1]);
  });

  test(`WordPiece (${layout}): truncation leaves room for the special tokens, longest first`, () => {
    // 6 + 2 tokens, room for 4: the shorter (2) stays whole, the longer is cut to 2.
    assert.deepEqual(
      tok.encode('the cat sat on the mat', 'dogs', { maxLength: 7 }).ids,
      [2, 5, 6, 3, 15, 10, 3],
    );
    // 4 + 4 tokens, room for 5: 2 and 3, the odd token going to the second text.
    const e = tok.encode('the cat sat on', 'the mat sat on', { maxLength: 8 });
    assert.deepEqual(e.ids, [2, 5, 6, 3, 5, 9, 7, 3]);
    assert.deepEqual(e.tokenTypeIds, [0, 0, 0, 0, 1, 1, 1, 1]);
    assert.deepEqual(tok.encode('the cat sat on', undefined, { maxLength: 4 }).ids, [2, 5, 6, 3]);
    assert.deepEqual(
      tok.encode('the cat sat', undefined, { maxLength: 2, addSpecialTokens: false }).ids,
      [5, 6],
    );
    assert.throws(
      () => tok.encode('the', 'cat', { maxLength: 2 }),
      /no room for the 3 special tokens/,
    );
  });

  test(`WordPiece (${layout}): batches pad on the right to the longest row or to maxLength`, () => {
    const b = tok.encodeBatch(['the cat', 'The cats sat.']);
    assert.equal(b.batch, 2);
    assert.equal(b.seqLen, 7);
    assert.deepEqual([...b.inputIds], [2, 5, 6, 3, 0, 0, 0, 2, 5, 6, 10, 7, 11, 3]);
    assert.deepEqual([...b.attentionMask], [1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual([...b.tokenTypeIds], new Array(14).fill(0));
    const p = tok.encodeBatch(['the', 'cat on the mat'], ['mat', 'dog'], {
      maxLength: 6,
      padding: 'max_length',
    });
    assert.equal(p.seqLen, 6);
    // Row 2: 4 + 1 tokens, room for 3: "dog" stays, "cat on the mat" is cut to 2.
    assert.deepEqual([...p.inputIds], [2, 5, 3, 9, 3, 0, 2, 6, 8, 3, 15, 3]);
    assert.deepEqual([...p.attentionMask], [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual([...p.tokenTypeIds], [0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1]);
    const empty = tok.encodeBatch([]);
    assert.deepEqual([empty.batch, empty.seqLen, empty.inputIds.length], [0, 0, 0]);
  });

  test(`WordPiece (${layout}): decode joins ## pieces and drops special tokens`, () => {
    assert.equal(tok.decode([2, 5, 6, 10, 7, 11, 3, 0, 0]), 'the cats sat.');
    assert.equal(tok.decode([]), '');
  });
}

test('WordPiece: model_max_length from tokenizer_config.json is the default maxLength', () => {
  const tok = loadTokenizer(fast.dir);
  assert.equal(tok.modelMaxLength, 16);
  assert.equal(tok.encode('the cat '.repeat(20)).ids.length, 16);
  assert.equal(loadTokenizer(slow.dir).modelMaxLength, undefined);
  assert.equal(loadTokenizer(slow.dir).encode('the cat '.repeat(20)).ids.length, 42);
});

test('WordPiece: do_lower_case false keeps case (capitalised words are unknown here)', () => {
  const tok = loadTokenizer(cased.dir);
  assert.deepEqual(tok.encode('The cat', undefined, { addSpecialTokens: false }).ids, [1, 6]);
  // The same setting overrides tokenizer.json's normalizer, as transformers does.
  const t = tempDir({
    'tokenizer.json': JSON.stringify(tokenizerJson()),
    'tokenizer_config.json': JSON.stringify({ do_lower_case: false }),
  });
  try {
    assert.deepEqual(
      loadTokenizer(t.dir).encode('The cat', undefined, { addSpecialTokens: false }).ids,
      [1, 6],
    );
  } finally {
    t.remove();
  }
});

test('WordPiece: tokenizer.json is preferred to vocab.txt when both are present', () => {
  const t = tempDir({
    'tokenizer.json': JSON.stringify(tokenizerJson()),
    'vocab.txt': 'not\na\nbert\nvocabulary\n',
  });
  try {
    assert.deepEqual(loadTokenizer(t.dir).encode('the cat').ids, [2, 5, 6, 3]);
  } finally {
    t.remove();
  }
});
