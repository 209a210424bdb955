/**
 * Predicting with a sequence classification model (and optionally a saved
 * adapter): the records of a JSONL file in, one JSON line per record out
 * ({"text": …, "logits": […], "label": …}; regression models write "score"
 * instead of "label"). The library side of `edora predict`.
 */
import { noGrad } from '../autograd/tape.js';
import { readUtf8File } from '../data/text-file.js';
import { writeFileAtomic } from '../io/atomic.js';
import { firstNonFinite } from '../io/finite.js';
import { loadTokenizer } from '../io/tokenizers/index.js';
import type { TextTokenizer } from '../io/tokenizers/types.js';
import type { SequenceClassifier } from '../models/bert.js';
import { resolveModel } from '../models/resolve.js';
import { loadAdaptedClassifier } from './adapted-model.js';

export interface PredictRecord {
  text: string;
  textPair?: string;
}

export interface PredictFileOptions {
  /** A Hugging Face sequence classification model directory. */
  model: string;
  /** A saved adapter directory (PEFT format) to apply. */
  adapter?: string;
  /** JSONL: {"text": …, "text_pair"?: …} per line. */
  input: string;
  /** The output JSONL, written atomically (temp + rename). */
  out: string;
  /** Inputs per forward pass (default 16). */
  batchSize?: number;
  /** Truncate inputs to this many tokens (default: the model's limit). */
  maxLength?: number;
}

/** Predict every record of `input` into `out`; throws one clear line on bad input. */
export function predictFile(opts: PredictFileOptions): { count: number } {
  const records = readPredictRecords(opts.input);
  const source = resolveModel(opts.model, { expect: 'hf' });
  // An adapter may bring its own classifier (modules_to_save) and its own labels.
  const { model, config, fresh } = loadAdaptedClassifier(source.path, opts.adapter);
  if (fresh.some((p) => p.startsWith('classifier.'))) {
    throw new Error(
      `--model ${opts.model}: the checkpoint has no classification head (classifier weights are missing); fine-tune it first`,
    );
  }
  const tokenizer = loadTokenizer(source.path);
  // RoBERTa's positions start after padding_idx, so it holds fewer tokens than its table.
  const limit =
    config.maxPositionEmbeddings -
    (config.modelType === 'roberta' ? (config.padTokenId ?? 0) + 1 : 0);
  const maxLength = opts.maxLength ?? Math.min(limit, tokenizer.modelMaxLength ?? limit);
  if (maxLength > limit) {
    throw new Error(
      `--max-length ${maxLength} exceeds the ${limit} tokens ${opts.model} supports (max_position_embeddings)`,
    );
  }
  const batchSize = opts.batchSize ?? 16;
  const lines = predictRecords(model, tokenizer, records, { batchSize, maxLength });
  writeFileAtomic(opts.out, lines.map((l) => `${l}\n`).join(''));
  return { count: records.length };
}

/** One output JSON line per record, in input order. */
export function predictRecords(
  model: SequenceClassifier,
  tokenizer: TextTokenizer,
  records: PredictRecord[],
  options: { batchSize: number; maxLength: number },
): string[] {
  const { config } = model;
  const regression =
    config.problemType === 'regression' || (config.problemType === null && config.numLabels === 1);
  const out = new Array<string>(records.length);
  model.eval();
  noGrad(() => {
    for (let i = 0; i < records.length; i += options.batchSize) {
      const idx = Array.from(
        { length: Math.min(options.batchSize, records.length - i) },
        (_, k) => i + k,
      );
      // A batch is encoded as pairs or as single texts, so split mixed chunks.
      for (const group of [
        idx.filter((j) => records[j]!.textPair === undefined),
        idx.filter((j) => records[j]!.textPair !== undefined),
      ]) {
        if (group.length === 0) continue;
        const texts = group.map((j) => records[j]!.text);
        const pairs =
          records[group[0]!]!.textPair === undefined
            ? undefined
            : group.map((j) => records[j]!.textPair!);
        const enc = tokenizer.encodeBatch(texts, pairs, { maxLength: options.maxLength });
        const logits = model.forward(enc).toArray();
        const n = config.numLabels;
        // Finite weights can still overflow float32 on the way (huge adapter values).
        const bad = firstNonFinite(logits);
        if (bad >= 0) {
          throw new Error(
            `--input record ${group[Math.floor(bad / n)]! + 1}: the model computes a non-finite logit (${logits[bad]}); its weights or the adapter's overflow float32`,
          );
        }
        group.forEach((j, r) => {
          const row = logits.slice(r * n, (r + 1) * n);
          const rec = records[j]!;
          const line: Record<string, unknown> = { text: rec.text };
          if (rec.textPair !== undefined) line['text_pair'] = rec.textPair;
          line['logits'] = row;
          if (regression) line['score'] = row[0];
          else line['label'] = config.id2label[argmax(row)];
          out[j] = JSON.stringify(line);
        });
      }
    }
  });
  return out;
}

function argmax(v: number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** The records of a JSONL file; blank lines are skipped; errors name the line. */
export function readPredictRecords(path: string): PredictRecord[] {
  const text = readUtf8File(path, `--input ${path}`);
  const records: PredictRecord[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `${path}:${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw new Error(`${where}: not valid JSON (${(err as Error).message})`);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      throw new Error(`${where}: expected a JSON object`);
    const { text: t, text_pair: p } = v as Record<string, unknown>;
    if (typeof t !== 'string') throw new Error(`${where}: field 'text' must be a string`);
    if (p !== undefined && p !== null && typeof p !== 'string')
      throw new Error(`${where}: field 'text_pair' must be a string`);
    records.push(p === undefined || p === null ? { text: t } : { text: t, textPair: p });
  });
  return records;
}
