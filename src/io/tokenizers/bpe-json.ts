/**
 * The tokenizer.json that transformers' GPT2Converter / RobertaConverter write for a
 * vocab.json + merges.txt pair (byte-level BPE), built in memory so that
 * @huggingface/tokenizers does the tokenizing.
 */
import type { TokenizerSettings } from './config.js';

export function parseVocabJson(file: string, raw: Record<string, unknown>): Map<string, number> {
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(raw)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new Error(
        `${file}: the id of token ${JSON.stringify(token)} must be a non-negative integer`,
      );
    }
    vocab.set(token, id);
  }
  if (vocab.size === 0) throw new Error(`${file}: the vocabulary is empty`);
  return vocab;
}

/** merges.txt: an optional `#version` line, then one merge `left right` per line. */
export function parseMerges(file: string, text: string): [string, string][] {
  const merges: [string, string][] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || (i === 0 && line.startsWith('#version'))) return;
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new Error(
        `${file}: line ${i + 1} must be two symbols separated by one space, got ${JSON.stringify(line)}`,
      );
    }
    merges.push([parts[0]!, parts[1]!]);
  });
  return merges;
}

interface SpecialSpec {
  content: string;
  lstrip?: boolean;
}

function addedTokens(vocab: Map<string, number>, specs: SpecialSpec[]): Record<string, unknown>[] {
  const seen = new Set<string>();
  const out: { id: number; [k: string]: unknown }[] = [];
  for (const { content, lstrip } of specs) {
    const id = vocab.get(content);
    if (id === undefined || seen.has(content)) continue;
    seen.add(content);
    out.push({
      id,
      content,
      single_word: false,
      lstrip: lstrip ?? false,
      rstrip: false,
      normalized: false,
      special: true,
    });
  }
  return out.sort((a, b) => a.id - b.id);
}

export function byteLevelBpeTokenizerJson(
  file: string,
  vocab: Map<string, number>,
  merges: [string, string][],
  modelType: 'gpt2' | 'roberta',
  s: TokenizerSettings,
): Record<string, unknown> {
  const addPrefixSpace = s.addPrefixSpace ?? false;
  const need = (role: string, token: string): number => {
    const id = vocab.get(token);
    if (id === undefined)
      throw new Error(`${file}: the ${role} token '${token}' is not in the vocabulary`);
    return id;
  };
  let special: SpecialSpec[];
  let postProcessor: Record<string, unknown>;
  let unk: string | undefined;
  if (modelType === 'roberta') {
    const bos = s.special.cls ?? s.special.bos ?? '<s>';
    const eos = s.special.sep ?? s.special.eos ?? '</s>';
    unk = s.special.unk ?? '<unk>';
    // RoBERTa's <mask> swallows the space before it, so "a <mask>" predicts " word".
    special = [
      { content: bos },
      { content: s.special.pad ?? '<pad>' },
      { content: eos },
      { content: unk },
      { content: s.special.mask ?? '<mask>', lstrip: true },
    ];
    postProcessor = {
      type: 'RobertaProcessing',
      sep: [eos, need('separator', eos)],
      cls: [bos, need('classifier', bos)],
      trim_offsets: true,
      add_prefix_space: addPrefixSpace,
    };
  } else {
    const eot = s.special.eos ?? '<|endoftext|>';
    const bos = s.special.bos ?? eot;
    unk = s.special.unk ?? eot;
    special = [{ content: bos }, { content: eot }, { content: unk }];
    postProcessor = s.addBosToken
      ? {
          type: 'TemplateProcessing',
          single: [
            { SpecialToken: { id: bos, type_id: 0 } },
            { Sequence: { id: 'A', type_id: 0 } },
          ],
          pair: [
            { SpecialToken: { id: bos, type_id: 0 } },
            { Sequence: { id: 'A', type_id: 0 } },
            { Sequence: { id: 'B', type_id: 1 } },
          ],
          special_tokens: { [bos]: { id: bos, ids: [need('beginning', bos)], tokens: [bos] } },
        }
      : {
          type: 'ByteLevel',
          add_prefix_space: addPrefixSpace,
          trim_offsets: false,
          use_regex: true,
        };
  }
  for (const t of s.additionalSpecialTokens) special.push({ content: t });
  return {
    version: '1.0',
    added_tokens: addedTokens(vocab, special),
    normalizer: null,
    pre_tokenizer: {
      type: 'ByteLevel',
      add_prefix_space: addPrefixSpace,
      trim_offsets: true,
      use_regex: true,
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: unk !== undefined && vocab.has(unk) ? unk : null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
    post_processor: postProcessor,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  };
}
