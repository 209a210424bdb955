/**
 * A Hugging Face `config.json` for BERT and RoBERTa, read and validated.
 *
 * Fields the file leaves out take the defaults of transformers' BertConfig /
 * RobertaConfig (save_pretrained omits some of them); the sizes that define
 * the architecture are required. Labels follow PretrainedConfig: id2label wins
 * over num_labels, and without either there are 2 labels.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readInputFile } from '../io/input-file.js';

export type ModelType = 'bert' | 'roberta';
export type HiddenAct = 'gelu' | 'gelu_tanh';
export type ProblemType =
  | 'regression'
  | 'single_label_classification'
  | 'multi_label_classification';

export interface ModelConfig {
  modelType: ModelType;
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  /** 'gelu' is the exact erf form; 'gelu_tanh' is gelu_new / gelu_pytorch_tanh. */
  hiddenAct: HiddenAct;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
  /** The padding token id (RoBERTa's padding_idx for position ids); null when none. */
  padTokenId: number | null;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  /** Dropout before the classifier (classifier_dropout ?? hidden_dropout_prob). */
  classifierDropout: number;
  initializerRange: number;
  numLabels: number;
  /** Label names by id (always numLabels entries; LABEL_i when the file has none). */
  id2label: string[];
  label2id: Record<string, number>;
  problemType: ProblemType | null;
  /** The parsed file, for fields this type does not model. */
  raw: Record<string, unknown>;
}

/**
 * Upper bounds of the sizes. Each sits far above any released BERT/RoBERTa
 * (XLM-R has 250,002 words; the largest have 4,096 hidden units, 16,384
 * intermediate, 48 layers) and far below what a typo such as 1e9 would ask
 * the allocator for; products of sizes stay exact in a double.
 */
export const SIZE_LIMITS = {
  vocab_size: 2 ** 21,
  hidden_size: 2 ** 16,
  num_attention_heads: 2 ** 16,
  num_hidden_layers: 1024,
  intermediate_size: 2 ** 18,
  max_position_embeddings: 2 ** 20,
  type_vocab_size: 1024,
  num_labels: 2 ** 16,
} as const;

const DEFAULTS = {
  bert: { padTokenId: 0, layerNormEps: 1e-12, typeVocabSize: 2, maxPositionEmbeddings: 512 },
  roberta: { padTokenId: 1, layerNormEps: 1e-12, typeVocabSize: 2, maxPositionEmbeddings: 512 },
} as const;

export function readModelConfig(dir: string): ModelConfig {
  const file = join(dir, 'config.json');
  if (!existsSync(file)) throw new Error(`${dir}: no config.json (not a model directory?)`);
  const text = readInputFile(file).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return parseModelConfig(json, file);
}

/** Validate a parsed config.json; `file` names it in errors. */
export function parseModelConfig(json: unknown, file = 'config.json'): ModelConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`${file}: must hold a JSON object`);
  }
  const raw = json as Record<string, unknown>;
  const fail = (field: string, what: string): never => {
    const v = raw[field];
    throw new Error(
      `${file}: field '${field}' must be ${what}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`,
    );
  };
  /** A size field: an integer in [1, SIZE_LIMITS[field]]. */
  const size = (field: keyof typeof SIZE_LIMITS, def?: number): number => {
    const v = raw[field] ?? def;
    const max = SIZE_LIMITS[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max)
      fail(field, `an integer in [1, ${max}]`);
    return v as number;
  };
  const prob = (field: string, def: number): number => {
    const v = raw[field] ?? def;
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) fail(field, 'a probability in [0, 1)');
    return v as number;
  };

  const mt = raw['model_type'];
  if (mt !== 'bert' && mt !== 'roberta') fail('model_type', "'bert' or 'roberta'");
  const modelType = mt as ModelType;
  const d = DEFAULTS[modelType];

  const hiddenSize = size('hidden_size');
  const numAttentionHeads = size('num_attention_heads');
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new Error(
      `${file}: hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numAttentionHeads}`,
    );
  }
  const vocabSize = size('vocab_size');

  const act = raw['hidden_act'] ?? 'gelu';
  let hiddenAct: HiddenAct;
  if (act === 'gelu') hiddenAct = 'gelu';
  else if (act === 'gelu_new' || act === 'gelu_pytorch_tanh') hiddenAct = 'gelu_tanh';
  else hiddenAct = fail('hidden_act', "'gelu', 'gelu_new' or 'gelu_pytorch_tanh'");

  const pet = raw['position_embedding_type'] ?? 'absolute';
  if (pet !== 'absolute')
    fail('position_embedding_type', "'absolute' (relative positions are not supported)");

  const eps = raw['layer_norm_eps'] ?? d.layerNormEps;
  if (typeof eps !== 'number' || !(eps > 0 && eps < 1))
    fail('layer_norm_eps', 'a positive number below 1');

  const pad = raw['pad_token_id'] ?? (Object.hasOwn(raw, 'pad_token_id') ? null : d.padTokenId);
  if (
    pad !== null &&
    (typeof pad !== 'number' || !Number.isSafeInteger(pad) || pad < 0 || pad >= vocabSize)
  ) {
    fail('pad_token_id', `null or an integer in [0, ${vocabSize})`);
  }
  if (modelType === 'roberta' && pad === null)
    fail('pad_token_id', 'an integer (RoBERTa position ids count from it)');

  const hiddenDropoutProb = prob('hidden_dropout_prob', 0.1);
  const cd = raw['classifier_dropout'];
  const classifierDropout =
    cd === null || cd === undefined ? hiddenDropoutProb : prob('classifier_dropout', 0);

  const { numLabels, id2label } = parseLabels(raw, file, fail);
  const label2id = parseLabel2id(raw, file, id2label);

  const pt = raw['problem_type'] ?? null;
  if (
    pt !== null &&
    pt !== 'regression' &&
    pt !== 'single_label_classification' &&
    pt !== 'multi_label_classification'
  ) {
    fail(
      'problem_type',
      "null, 'regression', 'single_label_classification' or 'multi_label_classification'",
    );
  }

  const range = raw['initializer_range'] ?? 0.02;
  if (typeof range !== 'number' || !(range > 0)) fail('initializer_range', 'a positive number');

  return {
    modelType,
    vocabSize,
    hiddenSize,
    numHiddenLayers: size('num_hidden_layers'),
    numAttentionHeads,
    intermediateSize: size('intermediate_size'),
    hiddenAct,
    maxPositionEmbeddings: size('max_position_embeddings', d.maxPositionEmbeddings),
    typeVocabSize: size('type_vocab_size', d.typeVocabSize),
    layerNormEps: eps as number,
    padTokenId: pad as number | null,
    hiddenDropoutProb,
    attentionProbsDropoutProb: prob('attention_probs_dropout_prob', 0.1),
    classifierDropout,
    initializerRange: range as number,
    numLabels,
    id2label,
    label2id,
    problemType: pt as ProblemType | null,
    raw,
  };
}

function parseLabels(
  raw: Record<string, unknown>,
  file: string,
  fail: (field: string, what: string) => never,
): { numLabels: number; id2label: string[] } {
  const map = raw['id2label'];
  if (map === undefined || map === null) {
    const n = raw['num_labels'] ?? 2;
    const max = SIZE_LIMITS.num_labels;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > max)
      fail('num_labels', `an integer in [1, ${max}]`);
    return {
      numLabels: n as number,
      id2label: Array.from({ length: n as number }, (_, i) => `LABEL_${i}`),
    };
  }
  if (typeof map !== 'object' || Array.isArray(map))
    fail('id2label', 'an object mapping "0", "1", … to label names');
  const entries = Object.entries(map as Record<string, unknown>);
  if (entries.length === 0) fail('id2label', 'a non-empty object');
  if (entries.length > SIZE_LIMITS.num_labels)
    throw new Error(
      `${file}: id2label has ${entries.length} labels, more than ${SIZE_LIMITS.num_labels}`,
    );
  const names = new Array<string>(entries.length);
  for (const [k, v] of entries) {
    const id = Number(k);
    if (!/^(0|[1-9]\d*)$/.test(k) || id >= entries.length) {
      throw new Error(`${file}: id2label key '${k}' must be an id in [0, ${entries.length})`);
    }
    if (typeof v !== 'string') throw new Error(`${file}: id2label['${k}'] must be a string`);
    names[id] = v;
  }
  return { numLabels: entries.length, id2label: names };
}

function parseLabel2id(
  raw: Record<string, unknown>,
  file: string,
  id2label: string[],
): Record<string, number> {
  const map = raw['label2id'];
  if (map === undefined || map === null)
    return Object.fromEntries(id2label.map((name, i) => [name, i]));
  if (typeof map !== 'object' || Array.isArray(map))
    throw new Error(`${file}: field 'label2id' must be an object`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v >= id2label.length) {
      throw new Error(`${file}: label2id['${k}'] must be an id in [0, ${id2label.length})`);
    }
    out[k] = v;
  }
  return out;
}
