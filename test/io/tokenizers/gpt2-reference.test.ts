/**
 * GPT-2 byte-level BPE rebuilt from vocab.json + merges.txt, against gpt-3-encoder's own
 * encoder (OpenAI's algorithm ported to JS) on the same vocabulary.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadTokenizer, type TextTokenizer } from '../../../src/io/tokenizers/index.js';
import { refPath, requireRef, tempDir, variedStrings } from './refs.js';

interface Gpt3Encoder {
  encode(text: string): number[];
}

let tok: TextTokenizer;
let ref: Gpt3Encoder;
let remove = (): void => {};

before(() => {
  ref = requireRef<Gpt3Encoder>('gpt3Encoder', 'index.js');
  const t = tempDir({});
  remove = t.remove;
  copyFileSync(refPath('gpt3Encoder', 'encoder.json'), join(t.dir, 'vocab.json'));
  copyFileSync(refPath('gpt3Encoder', 'vocab.bpe'), join(t.dir, 'merges.txt'));
  tok = loadTokenizer(t.dir);
});
after(() => remove());

test('GPT-2: the layout is recognised as GPT-2 (no <s>) with the full vocabulary', () => {
  assert.equal(tok.vocabSize, 50257);
  assert.equal(tok.padId, 50256, 'no pad token: pads with <|endoftext|>');
  assert.equal(tok.tokenToId('<|endoftext|>'), 50256);
  // Widely published ids: "Hello world" → [15496, 995].
  assert.deepEqual(tok.encode('Hello world').ids, [15496, 995]);
});

test('GPT-2: ids match gpt-3-encoder on 400 varied strings and decode back exactly', () => {
  const fixed = [
    '',
    ' ',
    '   leading and trailing   ',
    'a\n\nb\tc',
    '1234567890 12 345',
    "I'm sure it's fine, isn't it? We'll see; they've said so.",
    'naïve café résumé 日本語 🤗👍🏽',
    '\u00a0non-breaking\u3000ideographic space',
    'x'.repeat(300),
  ];
  const strings = [...fixed, ...variedStrings(400, 7)];
  let compared = 0;
  for (const s of strings) {
    const ours = tok.encode(s).ids;
    assert.deepEqual(ours, ref.encode(s), `ids differ for ${JSON.stringify(s)}`);
    assert.equal(tok.decode(ours), s, `round trip of ${JSON.stringify(s)}`);
    compared += ours.length;
  }
  assert.ok(compared > 5000, `compared only ${compared} tokens`);
});

test('GPT-2: a pair has no special tokens and type ids 0 then 1', () => {
  const a = ref.encode('The question');
  const b = ref.encode(' the answer');
  const e = tok.encode('The question', ' the answer');
  assert.deepEqual(e.ids, [...a, ...b]);
  assert.deepEqual(e.tokenTypeIds, [...a.map(() => 0), ...b.map(() => 1)]);
});
