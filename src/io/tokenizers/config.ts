/** The parts of tokenizer_config.json that change how text is tokenized. */

export type SpecialTokenName = 'bos' | 'eos' | 'unk' | 'sep' | 'pad' | 'cls' | 'mask';

export interface TokenizerSettings {
  /** Special token strings named by the config (`bos_token` → bos, …); absent when not named. */
  special: Partial<Record<SpecialTokenName, string>>;
  additionalSpecialTokens: string[];
  modelMaxLength: number | undefined;
  doLowerCase: boolean | undefined;
  /** undefined: follow lowercasing (BERT's rule); null in the file means the same. */
  stripAccents: boolean | undefined;
  tokenizeChineseChars: boolean | undefined;
  addPrefixSpace: boolean | undefined;
  addBosToken: boolean | undefined;
  addEosToken: boolean | undefined;
  cleanUpTokenizationSpaces: boolean | undefined;
  tokenizerClass: string | undefined;
}

/**
 * transformers writes int(1e30) as model_max_length when a checkpoint has no limit; anything
 * this large means "no limit".
 */
const NO_LIMIT = 1e12;

export function emptySettings(): TokenizerSettings {
  return {
    special: {},
    additionalSpecialTokens: [],
    modelMaxLength: undefined,
    doLowerCase: undefined,
    stripAccents: undefined,
    tokenizeChineseChars: undefined,
    addPrefixSpace: undefined,
    addBosToken: undefined,
    addEosToken: undefined,
    cleanUpTokenizationSpaces: undefined,
    tokenizerClass: undefined,
  };
}

/** A token is written either as a string or as `{"content": "...", "__type": "AddedToken"}`. */
function tokenString(file: string, key: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') {
    return (v as { content: string }).content;
  }
  throw new Error(`${file}: field '${key}' must be a string or {"content": string}`);
}

function optionalBool(file: string, key: string, v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new Error(`${file}: field '${key}' must be true or false`);
  return v;
}

export function parseTokenizerConfig(
  file: string,
  raw: Record<string, unknown>,
): TokenizerSettings {
  const s = emptySettings();
  for (const name of ['bos', 'eos', 'unk', 'sep', 'pad', 'cls', 'mask'] as const) {
    const key = `${name}_token`;
    const t = tokenString(file, key, raw[key]);
    if (t !== undefined) s.special[name] = t;
  }
  const extra = raw['additional_special_tokens'];
  if (extra !== undefined && extra !== null) {
    if (!Array.isArray(extra)) {
      throw new Error(`${file}: field 'additional_special_tokens' must be a list`);
    }
    s.additionalSpecialTokens = extra.flatMap((v, i) => {
      const t = tokenString(file, `additional_special_tokens[${i}]`, v);
      return t === undefined ? [] : [t];
    });
  }
  const mml = raw['model_max_length'];
  if (mml !== undefined && mml !== null) {
    if (typeof mml !== 'number' || !(mml > 0)) {
      throw new Error(`${file}: field 'model_max_length' must be a positive number`);
    }
    s.modelMaxLength = mml < NO_LIMIT ? Math.floor(mml) : undefined;
  }
  s.doLowerCase = optionalBool(file, 'do_lower_case', raw['do_lower_case']);
  s.stripAccents = optionalBool(file, 'strip_accents', raw['strip_accents']);
  s.tokenizeChineseChars = optionalBool(
    file,
    'tokenize_chinese_chars',
    raw['tokenize_chinese_chars'],
  );
  s.addPrefixSpace = optionalBool(file, 'add_prefix_space', raw['add_prefix_space']);
  s.addBosToken = optionalBool(file, 'add_bos_token', raw['add_bos_token']);
  s.addEosToken = optionalBool(file, 'add_eos_token', raw['add_eos_token']);
  s.cleanUpTokenizationSpaces = optionalBool(
    file,
    'clean_up_tokenization_spaces',
    raw['clean_up_tokenization_spaces'],
  );
  const cls = raw['tokenizer_class'];
  if (typeof cls === 'string') s.tokenizerClass = cls;
  return s;
}
