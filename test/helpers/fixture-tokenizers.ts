/**
 * Small tokenizers for the tiny test checkpoints, in Hugging Face's
 * tokenizer.json format: a WordPiece vocabulary for BERT (with every letter
 * and `##letter`, so any lowercase ASCII text encodes without [UNK]) and a
 * byte-level BPE for RoBERTa (all 256 byte symbols plus merges for a few
 * words, so any text encodes).
 */

const WORDS = [
  'the',
  'a',
  'an',
  'movie',
  'film',
  'good',
  'bad',
  'great',
  'terrible',
  'was',
  'is',
  'not',
  'very',
  'i',
  'it',
  'this',
  'that',
  'and',
  'love',
  'hate',
  'fun',
  'boring',
  'plot',
  'acting',
];
const PUNCT = ['.', ',', '!', '?', "'", '-'];
const LETTERS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];

function addedToken(id: number, content: string, lstrip = false): Record<string, unknown> {
  return {
    id,
    content,
    single_word: false,
    lstrip,
    rstrip: false,
    normalized: false,
    special: true,
  };
}

/**
 * A BERT WordPiece tokenizer.json over `tokens` (ids in that order, no
 * repeats), with `specials` as its added tokens and `postProcessor` as its
 * post_processor (BertProcessing, TemplateProcessing, …).
 */
export function bertWordPieceJson(
  tokens: readonly string[],
  specials: readonly string[],
  postProcessor: Record<string, unknown>,
): Record<string, unknown> {
  const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((t) => addedToken(vocab[t]!, t)),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: postProcessor,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

/** BERT WordPiece tokenizer.json; returns the file contents and the vocabulary size. */
export function wordPieceTokenizerJson(): { json: Record<string, unknown>; vocabSize: number } {
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const tokens = [
    ...specials,
    ...PUNCT,
    ...LETTERS,
    ...WORDS,
    ...LETTERS.map((c) => `##${c}`),
    '##s',
    '##ing',
    '##ed',
    '##ly',
  ];
  const unique = [...new Set(tokens)];
  const id = (t: string): number => unique.indexOf(t);
  const seq = (s: 'A' | 'B', typeId: number) => ({ Sequence: { id: s, type_id: typeId } });
  const special = (t: string, typeId: number) => ({ SpecialToken: { id: t, type_id: typeId } });
  const json = bertWordPieceJson(unique, specials, {
    type: 'TemplateProcessing',
    single: [special('[CLS]', 0), seq('A', 0), special('[SEP]', 0)],
    pair: [special('[CLS]', 0), seq('A', 0), special('[SEP]', 0), seq('B', 1), special('[SEP]', 1)],
    special_tokens: Object.fromEntries(
      ['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }]),
    ),
  });
  return { json, vocabSize: unique.length };
}

/** GPT-2's reversible byte → printable character map (bytes_to_unicode). */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const map = new Array<string>(256);
  for (const b of bs) map[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (map[b] === undefined) map[b] = String.fromCodePoint(256 + n++);
  return map;
}

/** RoBERTa byte-level BPE tokenizer.json; returns the file contents and the vocabulary size. */
export function byteLevelBpeTokenizerJson(): { json: Record<string, unknown>; vocabSize: number } {
  const tokens = ['<s>', '<pad>', '</s>', '<unk>', ...bytesToUnicode()];
  const merges: string[] = [];
  const have = new Set(tokens);
  // Merges that build each word (with and without the leading space, Ġ) left to right.
  for (const w of [...WORDS.map((x) => `Ġ${x}`), ...WORDS]) {
    let cur = w[0]!;
    for (const ch of w.slice(1)) {
      const next = cur + ch;
      if (!have.has(next)) {
        merges.push(`${cur} ${ch}`);
        tokens.push(next);
        have.add(next);
      }
      cur = next;
    }
  }
  tokens.push('<mask>');
  const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      addedToken(0, '<s>'),
      addedToken(1, '<pad>'),
      addedToken(2, '</s>'),
      addedToken(3, '<unk>'),
      addedToken(tokens.length - 1, '<mask>', true),
    ],
    normalizer: null,
    pre_tokenizer: {
      type: 'ByteLevel',
      add_prefix_space: false,
      trim_offsets: true,
      use_regex: true,
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['</s>', 2],
      cls: ['<s>', 0],
      trim_offsets: true,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
  return { json, vocabSize: tokens.length };
}
