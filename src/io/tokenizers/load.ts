/**
 * loadTokenizer: a TextTokenizer from a Hugging Face model directory. Prefers tokenizer.json;
 * otherwise rebuilds the equivalent tokenizer.json in memory from the older layouts, vocab.txt
 * (BERT WordPiece) or vocab.json + merges.txt (GPT-2 / RoBERTa byte-level BPE).
 */
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { byteLevelBpeTokenizerJson, parseMerges, parseVocabJson } from './bpe-json.js';
import { emptySettings, parseTokenizerConfig, type TokenizerSettings } from './config.js';
import { fileExists, readJsonObject, readText } from './files.js';
import { HfTokenizer } from './hf-tokenizer.js';
import { llamaTemplate } from './llama-template.js';
import {
  type LoadTokenizerOptions,
  type TextTokenizer,
  TOKENIZER_MODEL_TYPES,
  type TokenizerModelType,
} from './types.js';
import { parseVocabTxt, wordPieceTokenizerJson } from './wordpiece-json.js';

/** The family a tokenizer_config.json's tokenizer_class names, if one we know. */
function typeFromClass(cls: string | undefined): TokenizerModelType | undefined {
  if (cls === undefined) return undefined;
  if (/^(Bert|DistilBert|Electra|MobileBert)Tokenizer/.test(cls)) return 'bert';
  if (/^RobertaTokenizer/.test(cls)) return 'roberta';
  if (/^GPT2Tokenizer/.test(cls)) return 'gpt2';
  if (/^(Code)?LlamaTokenizer/.test(cls)) return 'llama';
  return undefined;
}

function checkModelType(t: unknown): TokenizerModelType | undefined {
  if (t === undefined) return undefined;
  if (!TOKENIZER_MODEL_TYPES.includes(t as TokenizerModelType)) {
    throw new Error(
      `loadTokenizer: unknown model type '${String(t)}' (expected ${TOKENIZER_MODEL_TYPES.join(', ')})`,
    );
  }
  return t as TokenizerModelType;
}

/** Fills the fields @huggingface/tokenizers requires to be present (null when absent). */
function completeJson(file: string, json: Record<string, unknown>): Record<string, unknown> {
  const model = json['model'];
  if (model === null || typeof model !== 'object' || Array.isArray(model)) {
    throw new Error(`${file}: field 'model' must be an object`);
  }
  const added = json['added_tokens'] ?? [];
  if (!Array.isArray(added)) throw new Error(`${file}: field 'added_tokens' must be a list`);
  return {
    ...json,
    added_tokens: added,
    normalizer: json['normalizer'] ?? null,
    pre_tokenizer: json['pre_tokenizer'] ?? null,
    post_processor: json['post_processor'] ?? null,
    decoder: json['decoder'] ?? null,
  };
}

/**
 * transformers' BertTokenizerFast rebuilds the normalizer when tokenizer_config.json's
 * do_lower_case / strip_accents / tokenize_chinese_chars disagree with tokenizer.json; so do we.
 */
function applyBertNormalizerSettings(json: Record<string, unknown>, s: TokenizerSettings): void {
  const n = json['normalizer'] as Record<string, unknown> | null;
  if (n === null || n['type'] !== 'BertNormalizer') return;
  json['normalizer'] = {
    ...n,
    ...(s.doLowerCase !== undefined && { lowercase: s.doLowerCase }),
    ...(s.stripAccents !== undefined && { strip_accents: s.stripAccents }),
    ...(s.tokenizeChineseChars !== undefined && { handle_chinese_chars: s.tokenizeChineseChars }),
  };
}

function isRobertaProcessor(pp: unknown): boolean {
  if (pp === null || typeof pp !== 'object') return false;
  const p = pp as { type?: unknown; processors?: unknown };
  if (p.type === 'RobertaProcessing') return true;
  return (
    p.type === 'Sequence' && Array.isArray(p.processors) && p.processors.some(isRobertaProcessor)
  );
}

/** pad_token if named, else the usual pad names, else eos (GPT-2 and Llama have no pad). */
function resolvePadId(tk: Tokenizer, json: Record<string, unknown>, s: TokenizerSettings): number {
  const padding = json['padding'] as { pad_id?: unknown } | null | undefined;
  const candidates = [s.special.pad, '[PAD]', '<pad>', s.special.eos, '</s>', '<|endoftext|>'];
  if (s.special.pad === undefined && typeof padding?.pad_id === 'number') return padding.pad_id;
  for (const t of candidates) {
    if (t === undefined) continue;
    const id = tk.token_to_id(t);
    if (id !== undefined) return id;
  }
  return 0;
}

function build(
  source: string,
  json: Record<string, unknown>,
  s: TokenizerSettings,
  modelType: TokenizerModelType | undefined,
): TextTokenizer {
  const libConfig = {
    // transformers' default was true; but it breaks byte-level round trips ("a ." → "a."), so
    // without a config say-so only WordPiece decoding (BERT) cleans up.
    clean_up_tokenization_spaces:
      s.cleanUpTokenizationSpaces ??
      (json['decoder'] as { type?: unknown } | null)?.type === 'WordPiece',
    additional_special_tokens: s.additionalSpecialTokens,
    ...(s.special.eos !== undefined && { eos_token: s.special.eos }),
  };
  let tk: Tokenizer;
  try {
    tk = new Tokenizer(json, libConfig);
  } catch (e) {
    throw new Error(
      `${source}: not a tokenizer @huggingface/tokenizers can load (${(e as Error).message})`,
    );
  }
  return new HfTokenizer(tk, {
    source,
    padId: resolvePadId(tk, json, s),
    modelMaxLength: s.modelMaxLength,
    singleTokenType: modelType === 'roberta' || isRobertaProcessor(json['post_processor']),
  });
}

export function loadTokenizer(dir: string, options: LoadTokenizerOptions = {}): TextTokenizer {
  let modelType = checkModelType(options.modelType);
  const configPath = join(dir, 'tokenizer_config.json');
  const settings = fileExists(configPath)
    ? parseTokenizerConfig(configPath, readJsonObject(configPath))
    : emptySettings();
  modelType ??= typeFromClass(settings.tokenizerClass);

  const jsonPath = join(dir, 'tokenizer.json');
  if (fileExists(jsonPath)) {
    const json = completeJson(jsonPath, readJsonObject(jsonPath));
    applyBertNormalizerSettings(json, settings);
    if (modelType === 'llama') {
      const t = llamaTemplate(jsonPath, json, settings);
      if (t !== undefined) json['post_processor'] = t;
    }
    return build(jsonPath, json, settings, modelType);
  }

  const vocabTxt = join(dir, 'vocab.txt');
  const vocabJson = join(dir, 'vocab.json');
  const mergesTxt = join(dir, 'merges.txt');
  const hasWordPiece = fileExists(vocabTxt);
  const hasBpe = fileExists(vocabJson) && fileExists(mergesTxt);
  if (modelType === 'llama') {
    throw new Error(`${dir}: a Llama tokenizer needs tokenizer.json (tokenizer.model is not read)`);
  }
  if (hasWordPiece && (modelType === undefined || modelType === 'bert')) {
    const vocab = parseVocabTxt(readText(vocabTxt));
    return build(vocabTxt, wordPieceTokenizerJson(vocabTxt, vocab, settings), settings, 'bert');
  }
  if (hasBpe && modelType !== 'bert') {
    const vocab = parseVocabJson(vocabJson, readJsonObject(vocabJson));
    const merges = parseMerges(mergesTxt, readText(mergesTxt));
    // RoBERTa's vocabulary starts with <s>, <pad>, </s>, <unk>; GPT-2's has none of them.
    const type = modelType ?? (vocab.has('<s>') && vocab.has('</s>') ? 'roberta' : 'gpt2');
    const json = byteLevelBpeTokenizerJson(vocabJson, vocab, merges, type, settings);
    return build(`${vocabJson} + merges.txt`, json, settings, type);
  }
  const want =
    modelType === 'bert'
      ? 'tokenizer.json or vocab.txt'
      : modelType === 'gpt2' || modelType === 'roberta'
        ? 'tokenizer.json or vocab.json + merges.txt'
        : 'tokenizer.json, vocab.txt, or vocab.json + merges.txt';
  throw new Error(`${dir}: no tokenizer files found (expected ${want})`);
}
