/** The tiny checkpoints' tokenizer.json files work with Hugging Face's tokenizers.js and edora's loader. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';
import { loadTokenizer } from '../../src/io/tokenizers/index.js';
import { readModelConfig } from '../../src/models/config.js';

const FIX = join(process.cwd(), 'test/fixtures/models');

function hf(dir: string): Tokenizer {
  const json = JSON.parse(readFileSync(join(FIX, dir, 'tokenizer.json'), 'utf8'));
  const cfg = JSON.parse(readFileSync(join(FIX, dir, 'tokenizer_config.json'), 'utf8'));
  return new Tokenizer(json, cfg);
}

test('BERT WordPiece: words, pieces for unknown words, lowercasing, pairs', () => {
  const vocab = (
    JSON.parse(readFileSync(join(FIX, 'tiny-bert', 'tokenizer.json'), 'utf8')) as {
      model: { vocab: Record<string, number> };
    }
  ).model.vocab;
  const t = hf('tiny-bert');
  const enc = t.encode('The movie was GOOD, xyz!');
  assert.deepEqual(enc.tokens, [
    '[CLS]',
    'the',
    'movie',
    'was',
    'good',
    ',',
    'x',
    '##y',
    '##z',
    '!',
    '[SEP]',
  ]);
  assert.deepEqual(
    enc.ids,
    enc.tokens.map((s: string) => vocab[s]),
  );
  const ours = loadTokenizer(join(FIX, 'tiny-bert'));
  const batch = ours.encodeBatch(['the plot'], ['boring']);
  assert.deepEqual(
    [...batch.inputIds],
    ['[CLS]', 'the', 'plot', '[SEP]', 'boring', '[SEP]'].map((s) => vocab[s]),
  );
  assert.deepEqual([...batch.tokenTypeIds], [0, 0, 0, 0, 1, 1]);
  assert.equal(ours.padId, readModelConfig(join(FIX, 'tiny-bert')).padTokenId);
  assert.equal(ours.vocabSize, readModelConfig(join(FIX, 'tiny-bert')).vocabSize);
});

test('RoBERTa byte-level BPE: merged words, bytes for anything else', () => {
  const vocab = (
    JSON.parse(readFileSync(join(FIX, 'tiny-roberta', 'tokenizer.json'), 'utf8')) as {
      model: { vocab: Record<string, number> };
    }
  ).model.vocab;
  const t = hf('tiny-roberta');
  const enc = t.encode('the movie was great é');
  assert.deepEqual(enc.tokens, ['<s>', 'the', 'Ġmovie', 'Ġwas', 'Ġgreat', 'Ġ', 'Ã', '©', '</s>']);
  assert.deepEqual(
    enc.ids,
    enc.tokens.map((s: string) => vocab[s]),
  );
  const ours = loadTokenizer(join(FIX, 'tiny-roberta'));
  const cfg = readModelConfig(join(FIX, 'tiny-roberta'));
  assert.equal(ours.padId, cfg.padTokenId);
  assert.equal(ours.vocabSize, cfg.vocabSize);
  const batch = ours.encodeBatch(['a', 'the movie'], undefined);
  assert.equal(batch.seqLen, 4);
  assert.deepEqual([...batch.inputIds.subarray(0, 4)], [0, vocab['a']!, 2, 1]);
});
