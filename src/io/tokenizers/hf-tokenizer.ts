/**
 * A TextTokenizer over @huggingface/tokenizers. The library splits text into tokens; this
 * class adds what it lacks: truncation (longest-first, leaving room for the special tokens),
 * padding into flat batches, and two fixes to its post-processors (RoBERTa's token type ids
 * are all 0, and a ByteLevel post-processor must still join a pair).
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import { longestFirstLengths } from './truncate.js';
import type {
  BatchEncodeOptions,
  BatchEncoding,
  Encoded,
  EncodeOptions,
  TextTokenizer,
} from './types.js';

export interface HfTokenizerOptions {
  /** Where the tokenizer came from, for error messages. */
  source: string;
  padId: number;
  modelMaxLength: number | undefined;
  /** Force every token type id to 0 (RoBERTa-style models have a single token type). */
  singleTokenType: boolean;
}

interface Processed {
  tokens: string[];
  tokens_pair?: string[] | null;
  token_type_ids?: (number | undefined)[];
}

function checkLength(source: string, what: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isInteger(v) && v > 0)) {
    throw new Error(`${source}: ${what} must be a positive integer, got ${v}`);
  }
}

export class HfTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly padId: number;
  readonly modelMaxLength: number | undefined;
  private readonly tk: Tokenizer;
  private readonly source: string;
  private readonly singleTokenType: boolean;
  /** Added tokens by content, and by normalized content when they are matched after normalizing. */
  private readonly addedIds = new Map<string, number>();
  private readonly unkId: number | undefined;
  private readonly specialCount: [number, number];

  constructor(tk: Tokenizer, o: HfTokenizerOptions) {
    this.tk = tk;
    this.source = o.source;
    this.padId = o.padId;
    this.modelMaxLength = o.modelMaxLength;
    this.singleTokenType = o.singleTokenType;
    let maxId = -1;
    for (const id of tk.get_vocab(true).values()) if (id > maxId) maxId = id;
    for (const [id, t] of tk.get_added_tokens_decoder()) {
      this.addedIds.set(t.content, id);
      if (t.normalized && tk.normalizer) this.addedIds.set(tk.normalizer(t.content), id);
      if (id > maxId) maxId = id;
    }
    this.vocabSize = maxId + 1;
    this.unkId = tk.model?.unk_token_id;
    this.specialCount = [
      this.process([], null, true).ids.length,
      this.process([], [], true).ids.length,
    ];
  }

  tokenToId(token: string): number | undefined {
    return this.addedIds.get(token) ?? this.tk.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tk.id_to_token(id);
  }

  encode(text: string, pair?: string, options: EncodeOptions = {}): Encoded {
    if (typeof text !== 'string')
      throw new Error(`${this.source}: encode: text must be a string, got ${typeof text}`);
    if (pair !== undefined && typeof pair !== 'string') {
      throw new Error(`${this.source}: encode: pair must be a string, got ${typeof pair}`);
    }
    checkLength(this.source, 'maxLength', options.maxLength);
    const addSpecial = options.addSpecialTokens ?? true;
    const maxLength = options.maxLength ?? this.modelMaxLength;
    let a = this.pieces(text);
    let b = pair === undefined ? null : this.pieces(pair);
    if (maxLength !== undefined) {
      const reserved = addSpecial ? this.specialCount[b === null ? 0 : 1] : 0;
      const budget = maxLength - reserved;
      if (budget < 0) {
        throw new Error(
          `${this.source}: maxLength ${maxLength} leaves no room for the ${reserved} special tokens`,
        );
      }
      const [n1, n2] = longestFirstLengths(a.length, b?.length, budget);
      a = a.slice(0, n1);
      if (b !== null) b = b.slice(0, n2);
    }
    return this.process(a, b, addSpecial);
  }

  encodeBatch(texts: string[], pairs?: string[], options: BatchEncodeOptions = {}): BatchEncoding {
    if (!Array.isArray(texts))
      throw new Error(`${this.source}: encodeBatch: texts must be an array of strings`);
    if (pairs !== undefined && (!Array.isArray(pairs) || pairs.length !== texts.length)) {
      throw new Error(
        `${this.source}: encodeBatch: pairs must be an array as long as texts (${texts.length})`,
      );
    }
    checkLength(this.source, 'maxLength', options.maxLength);
    const padding = options.padding ?? 'longest';
    if (padding !== 'longest' && padding !== 'max_length') {
      throw new Error(
        `${this.source}: padding must be 'longest' or 'max_length', got '${padding}'`,
      );
    }
    const maxLength = options.maxLength ?? this.modelMaxLength;
    if (padding === 'max_length' && maxLength === undefined) {
      throw new Error(
        `${this.source}: padding 'max_length' needs maxLength (the tokenizer sets no model_max_length)`,
      );
    }
    const rows = texts.map((t, i) => this.encode(t, pairs?.[i], { maxLength }));
    const seqLen =
      padding === 'max_length' ? maxLength! : rows.reduce((m, r) => Math.max(m, r.ids.length), 0);
    const batch = rows.length;
    const inputIds = new Int32Array(batch * seqLen).fill(this.padId);
    const attentionMask = new Uint8Array(batch * seqLen);
    const tokenTypeIds = new Int32Array(batch * seqLen);
    rows.forEach((r, i) => {
      inputIds.set(r.ids, i * seqLen);
      attentionMask.fill(1, i * seqLen, i * seqLen + r.ids.length);
      tokenTypeIds.set(r.tokenTypeIds, i * seqLen);
    });
    return { inputIds, attentionMask, tokenTypeIds, batch, seqLen };
  }

  decode(ids: number[]): string {
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new Error(
          `${this.source}: decode: ids[${i}] = ${id} is not a token id (0 to ${this.vocabSize - 1})`,
        );
      }
    });
    if (ids.length === 0) return '';
    return this.tk.decode(ids, { skip_special_tokens: true });
  }

  /** The tokens of one text, no special tokens. */
  private pieces(text: string): string[] {
    return this.tk.tokenize(text, { add_special_tokens: false });
  }

  private idOf(token: string): number {
    const id = this.tokenToId(token) ?? this.unkId;
    if (id === undefined) {
      throw new Error(
        `${this.source}: token ${JSON.stringify(token)} is not in the vocabulary, which has no unknown token`,
      );
    }
    return id;
  }

  /** Adds the special tokens (as the post-processor says) and maps tokens to ids. */
  private process(a: string[], b: string[] | null, addSpecial: boolean): Encoded {
    const pp = this.tk.post_processor;
    let out: Processed = pp ? pp.post_process(a, b, addSpecial) : { tokens: a, tokens_pair: b };
    // A ByteLevel post-processor (GPT-2) hands the pair back unjoined; join it as tokenizers does.
    if (out.tokens_pair && !out.token_type_ids) {
      out = {
        tokens: [...out.tokens, ...out.tokens_pair],
        token_type_ids: [...out.tokens.map(() => 0), ...out.tokens_pair.map(() => 1)],
      };
    }
    const tokens = out.tokens;
    const types = out.token_type_ids;
    return {
      ids: tokens.map((t) => this.idOf(t)),
      tokenTypeIds: tokens.map((_, i) => (this.singleTokenType ? 0 : (types?.[i] ?? 0))),
      tokens,
    };
  }
}
