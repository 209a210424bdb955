/**
 * The tokenizer.json that transformers' BertConverter writes for a BERT vocab.txt, built in
 * memory so that @huggingface/tokenizers does the tokenizing.
 */
import type { TokenizerSettings } from './config.js';

/** vocab.txt: one token per line, the id is the line number; a later duplicate wins (as in transformers). */
export function parseVocabTxt(text: string): Map<string, number> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((line, i) => {
    vocab.set(line.endsWith('\r') ? line.slice(0, -1) : line, i);
  });
  return vocab;
}

export function wordPieceTokenizerJson(
  file: string,
  vocab: Map<string, number>,
  s: TokenizerSettings,
): Record<string, unknown> {
  if (vocab.size === 0) throw new Error(`${file}: the vocabulary is empty`);
  const name = {
    unk: s.special.unk ?? '[UNK]',
    sep: s.special.sep ?? '[SEP]',
    pad: s.special.pad ?? '[PAD]',
    cls: s.special.cls ?? '[CLS]',
    mask: s.special.mask ?? '[MASK]',
  };
  const idOf = (role: string, token: string): number => {
    const id = vocab.get(token);
    if (id === undefined)
      throw new Error(`${file}: the ${role} token '${token}' is not in the vocabulary`);
    return id;
  };
  const cls = idOf('classifier', name.cls);
  const sep = idOf('separator', name.sep);
  idOf('unknown', name.unk);
  const added = [name.pad, name.unk, name.cls, name.sep, name.mask, ...s.additionalSpecialTokens]
    .filter((t, i, all) => vocab.has(t) && all.indexOf(t) === i)
    .map((t) => ({
      id: vocab.get(t)!,
      content: t,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    }))
    .sort((a, b) => a.id - b.id);
  return {
    version: '1.0',
    added_tokens: added,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: s.tokenizeChineseChars ?? true,
      strip_accents: s.stripAccents ?? null,
      // bert-base-uncased, the common case, ships no tokenizer_config.json in old layouts.
      lowercase: s.doLowerCase ?? true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    model: {
      type: 'WordPiece',
      unk_token: name.unk,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab),
    },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: name.cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: name.sep, type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: name.cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: name.sep, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: name.sep, type_id: 1 } },
      ],
      special_tokens: {
        [name.cls]: { id: name.cls, ids: [cls], tokens: [name.cls] },
        [name.sep]: { id: name.sep, ids: [sep], tokens: [name.sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  };
}
