import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Random } from '../../../src/index.js';
import { UseLiteTokenizer } from '../../../src/models/use-lite/index.js';
import { TEXTS } from './inputs.js';
import { modelDir, referenceTokenizer, vocab } from './reference.js';

const ours = UseLiteTokenizer.fromFile(join(modelDir, 'vocab.json'));
const ref = referenceTokenizer();

test('token ids equal the reference tokenizer on every fixed input', () => {
  assert.ok(TEXTS.length >= 50);
  for (const text of TEXTS) {
    assert.deepEqual(ours.encode(text), ref.encode(text), `ids differ for ${JSON.stringify(text)}`);
  }
});

test('token ids equal the reference tokenizer on random strings over a mixed alphabet', () => {
  // Pieces of the vocabulary glued with spaces, punctuation, digits and rare
  // symbols: exercises ties, unknown runs and the "score 0 means unset" quirk.
  const rng = new Random(11);
  const extra = [
    ' ',
    '  ',
    '\t',
    '\n',
    '.',
    ',',
    '!',
    '?',
    '0',
    '7',
    'é',
    'ß',
    '中',
    '😀',
    '🍕',
    '\u200b',
    'ﬁ',
    '①',
    '▁',
    '�',
    ':',
    ':)',
    '://',
  ];
  const pick = (n: number): number => Math.floor(rng.uniform() * n);
  for (let k = 0; k < 400; k++) {
    let s = '';
    const parts = 1 + pick(12);
    for (let j = 0; j < parts; j++) {
      s +=
        rng.uniform() < 0.6
          ? vocab[6 + pick(vocab.length - 6)]![0].replace(/▁/g, ' ')
          : extra[pick(extra.length)]!;
    }
    assert.deepEqual(ours.encode(s), ref.encode(s), `ids differ for ${JSON.stringify(s)}`);
  }
});

test('ties between segmentations and zero-score pieces go as in the reference', () => {
  // Equal totals ('a----': ▁a + -- + - or ▁a + - + --) and the null-score ':' pieces.
  for (const s of [
    'a----',
    'ß中----',
    ' :):x',
    ': :):',
    '😀 :):',
    ':',
    '://',
    'http://x.y :-) :( :)',
  ]) {
    assert.deepEqual(ours.encode(s), ref.encode(s), `ids differ for ${JSON.stringify(s)}`);
  }
});

test('known tokenisations: word pieces, the ▁ marker, unknown runs merged', () => {
  const ids = ours.encode('Hello world');
  assert.equal(ids.map((i) => vocab[i]![0]).join(''), '▁Hello▁world');
  assert.deepEqual(ours.encode(''), []);
  // Two symbols that are not in the vocabulary in a row give one unknown id.
  const unk = ours.encode('😀😀');
  assert.equal(unk.filter((i) => i === 0).length, 1);
});

test('vocabulary errors name the file and the entry', () => {
  assert.throws(
    () => UseLiteTokenizer.fromFile('/nonexistent/vocab.json'),
    /cannot read USE-Lite vocabulary \/nonexistent\/vocab.json/,
  );
});
