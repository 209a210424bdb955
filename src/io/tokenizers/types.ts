/** The public shapes of edora's text tokenizers (see load.ts for how one is made). */

/** The model families whose older tokenizer layouts `loadTokenizer` can rebuild. */
export type TokenizerModelType = 'bert' | 'roberta' | 'gpt2' | 'llama';

export const TOKENIZER_MODEL_TYPES: readonly TokenizerModelType[] = [
  'bert',
  'roberta',
  'gpt2',
  'llama',
];

export interface EncodeOptions {
  /**
   * Longest result, special tokens included. Pairs are truncated longest-first (Hugging Face
   * `tokenizers`' rule). Defaults to the tokenizer's `model_max_length` when it is known.
   */
  maxLength?: number;
  /** Add `[CLS]`/`[SEP]`, `<s>`/`</s>`, … as the tokenizer's post-processor says (default true). */
  addSpecialTokens?: boolean;
}

export interface BatchEncodeOptions {
  /** As for `encode`; also the padded length under `padding: 'max_length'`. */
  maxLength?: number;
  /** `'longest'` (default): pad to the longest row; `'max_length'`: pad every row to maxLength. */
  padding?: 'longest' | 'max_length';
}

export interface Encoded {
  ids: number[];
  tokenTypeIds: number[];
  tokens: string[];
}

/** Row-major `[batch, seqLen]` arrays, padded on the right with `padId` (mask 0, type id 0). */
export interface BatchEncoding {
  inputIds: Int32Array;
  attentionMask: Uint8Array;
  tokenTypeIds: Int32Array;
  batch: number;
  seqLen: number;
}

export interface TextTokenizer {
  /** One more than the largest token id (added tokens included): the least embedding size. */
  readonly vocabSize: number;
  readonly padId: number;
  /** `model_max_length` from tokenizer_config.json, when it gives a real limit. */
  readonly modelMaxLength: number | undefined;
  encode(text: string, pair?: string, options?: EncodeOptions): Encoded;
  /** Pads to the longest row by default. */
  encodeBatch(texts: string[], pairs?: string[], options?: BatchEncodeOptions): BatchEncoding;
  /** Text of the ids, special tokens (padding included) left out. */
  decode(ids: number[]): string;
  /** The id of a token string (special tokens included), or undefined. */
  tokenToId(token: string): number | undefined;
  /** The token string of an id, or undefined. */
  idToToken(id: number): string | undefined;
}

export interface LoadTokenizerOptions {
  /**
   * Which family the files belong to. Needed only to tell RoBERTa from GPT-2 when a directory
   * has just vocab.json + merges.txt and no tokenizer_config.json saying which; with
   * 'roberta' every token type id is 0, as RoBERTa has a single token type.
   */
  modelType?: TokenizerModelType;
}
