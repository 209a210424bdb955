/** Bad files and bad calls give one clear line naming the file or field, never a crash. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTokenizer, type TokenizerModelType } from '../../../src/io/tokenizers/index.js';
import { tempDir } from './refs.js';

function withDir(files: Record<string, string>, f: (dir: string) => void): void {
  const t = tempDir(files);
  try {
    f(t.dir);
  } finally {
    t.remove();
  }
}

const BERT_VOCAB = '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n';
const BPE = { 'vocab.json': '{"h": 0, "i": 1, "hi": 2}', 'merges.txt': '#version: 0.2\nh i\n' };

test('a directory without tokenizer files says which files it expected', () => {
  withDir({}, (dir) => {
    assert.throws(
      () => loadTokenizer(dir),
      new RegExp(
        `${dir}: no tokenizer files found \\(expected tokenizer.json, vocab.txt, or vocab.json \\+ merges.txt\\)`,
      ),
    );
    assert.throws(() => loadTokenizer(join(dir, 'nope')), /no tokenizer files found/);
  });
  withDir({ 'vocab.json': BPE['vocab.json'] }, (dir) => {
    assert.throws(() => loadTokenizer(dir), /no tokenizer files found/);
  });
  withDir(BPE, (dir) => {
    assert.throws(
      () => loadTokenizer(dir, { modelType: 'bert' }),
      /expected tokenizer.json or vocab.txt\)/,
    );
    assert.throws(
      () => loadTokenizer(dir, { modelType: 'llama' }),
      /Llama tokenizer needs tokenizer.json/,
    );
  });
  withDir({ 'vocab.txt': BERT_VOCAB }, (dir) => {
    assert.throws(
      () => loadTokenizer(dir, { modelType: 'gpt2' }),
      /expected tokenizer.json or vocab.json \+ merges.txt\)/,
    );
  });
});

test('malformed JSON names the file', () => {
  withDir({ 'tokenizer.json': '{"model": ' }, (dir) => {
    assert.throws(
      () => loadTokenizer(dir),
      new RegExp(`${join(dir, 'tokenizer.json')}: malformed JSON`),
    );
  });
  withDir({ 'tokenizer_config.json': '{oops}', 'vocab.txt': BERT_VOCAB }, (dir) => {
    assert.throws(() => loadTokenizer(dir), /tokenizer_config\.json: malformed JSON/);
  });
  withDir({ ...BPE, 'vocab.json': '[1, 2]' }, (dir) => {
    assert.throws(() => loadTokenizer(dir), /vocab\.json: expected a JSON object at the top level/);
  });
});

test('malformed contents name the file and the field or line', () => {
  withDir({ 'tokenizer.json': '{"added_tokens": []}' }, (dir) => {
    assert.throws(() => loadTokenizer(dir), /tokenizer\.json: field 'model' must be an object/);
  });
  withDir({ 'tokenizer.json': '{"model": {"type": "Mystery"}}' }, (dir) => {
    assert.throws(
      () => loadTokenizer(dir),
      /tokenizer\.json: not a tokenizer @huggingface\/tokenizers can load \(Unknown TokenizerModel type: Mystery\)/,
    );
  });
  withDir({ ...BPE, 'merges.txt': '#version: 0.2\nh i\nhi\n' }, (dir) => {
    assert.throws(
      () => loadTokenizer(dir),
      /merges\.txt: line 3 must be two symbols separated by one space, got "hi"/,
    );
  });
  withDir({ ...BPE, 'vocab.json': '{"h": 0, "i": "one"}' }, (dir) => {
    assert.throws(
      () => loadTokenizer(dir),
      /vocab\.json: the id of token "i" must be a non-negative integer/,
    );
  });
  withDir({ 'vocab.txt': '[PAD]\n[UNK]\nhello\n' }, (dir) => {
    assert.throws(
      () => loadTokenizer(dir),
      /vocab\.txt: the classifier token '\[CLS\]' is not in the vocabulary/,
    );
  });
  withDir(
    { 'vocab.txt': BERT_VOCAB, 'tokenizer_config.json': '{"model_max_length": "big"}' },
    (dir) => {
      assert.throws(
        () => loadTokenizer(dir),
        /tokenizer_config\.json: field 'model_max_length' must be a positive number/,
      );
    },
  );
  withDir(
    { 'vocab.txt': BERT_VOCAB, 'tokenizer_config.json': '{"do_lower_case": "yes"}' },
    (dir) => {
      assert.throws(
        () => loadTokenizer(dir),
        /tokenizer_config\.json: field 'do_lower_case' must be true or false/,
      );
    },
  );
});

test('an unknown model type is refused with the list of known ones', () => {
  withDir({ 'vocab.txt': BERT_VOCAB }, (dir) => {
    assert.throws(
      () => loadTokenizer(dir, { modelType: 'xlnet' as TokenizerModelType }),
      /unknown model type 'xlnet' \(expected bert, roberta, gpt2, llama\)/,
    );
  });
});

test('bad calls name the argument', () => {
  withDir({ 'vocab.txt': BERT_VOCAB }, (dir) => {
    const tok = loadTokenizer(dir);
    assert.throws(
      () => tok.encode(42 as unknown as string),
      /encode: text must be a string, got number/,
    );
    assert.throws(
      () => tok.encode('hello', undefined, { maxLength: 0 }),
      /maxLength must be a positive integer, got 0/,
    );
    assert.throws(
      () => tok.encode('hello', undefined, { maxLength: 2.5 }),
      /maxLength must be a positive integer/,
    );
    assert.throws(
      () => tok.encode('hello', undefined, { maxLength: 1 }),
      /no room for the 2 special tokens/,
    );
    assert.throws(() => tok.decode([1, 6]), /decode: ids\[1\] = 6 is not a token id \(0 to 5\)/);
    assert.throws(() => tok.decode([1.5]), /decode: ids\[0\] = 1.5 is not a token id/);
    assert.throws(
      () => tok.encodeBatch(['a', 'b'], ['c']),
      /pairs must be an array as long as texts \(2\)/,
    );
    assert.throws(
      () => tok.encodeBatch(['a'], undefined, { padding: 'max_length' }),
      /padding 'max_length' needs maxLength/,
    );
    assert.throws(
      () => tok.encodeBatch(['a'], undefined, { padding: 'left' as 'longest' }),
      /padding must be 'longest' or 'max_length', got 'left'/,
    );
  });
});

test('characters a vocabulary lacks become its unknown token, or are dropped when it has none', () => {
  withDir({ 'vocab.txt': BERT_VOCAB }, (dir) => {
    assert.deepEqual(loadTokenizer(dir).encode('hello zebra').ids, [2, 5, 1, 3]);
  });
  // Hugging Face tokenizers' BPE also drops symbols that are neither in the vocabulary nor unk.
  withDir(BPE, (dir) => {
    assert.deepEqual(loadTokenizer(dir).encode('hiz').ids, [2]);
  });
});
