/**
 * `edora predict`: a sequence classification model's logits and label for
 * each line of a JSONL file ({"text": …, "text_pair"?: …}), written as JSON
 * lines {"text": …, "logits": […], "label": …} (regression models write
 * "score" instead of "label"). The output appears atomically (temp + rename).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { noGrad } from '../../autograd/tape.js';
import { readUtf8File } from '../../data/text-file.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { firstNonFinite } from '../../io/finite.js';
import { loadTokenizer } from '../../io/tokenizers/index.js';
import type { TextTokenizer } from '../../io/tokenizers/types.js';
import type { SequenceClassifier } from '../../models/bert.js';
import { loadAdaptedClassifier } from '../../workflows/adapted-model.js';

export interface PredictOptions {
  model: string;
  adapter?: string;
  input: string;
  out: string;
  batchSize?: string | number;
  maxLength?: string | number;
}

export interface PredictRecord {
  text: string;
  textPair?: string;
}

export function register(program: Command): void {
  program
    .command('predict')
    .description(
      'classify each line of a JSONL file with a BERT/RoBERTa sequence classification model',
    )
    .requiredOption(
      '--model <dir>',
      'Hugging Face model directory (config.json, model.safetensors, tokenizer.json)',
    )
    .option('--adapter <dir>', 'apply a trained adapter directory (PEFT format)')
    .requiredOption('--input <file>', 'JSONL: {"text": …, "text_pair": … (optional)} per line')
    .requiredOption('--out <file>', 'output JSONL: {"text": …, "logits": […], "label": …} per line')
    .option('--batch-size <n>', 'inputs per forward pass', '16')
    .option('--max-length <n>', 'truncate inputs to this many tokens (default: the model limit)')
    .action((opts: PredictOptions) => {
      const { count, seconds } = runPredict(opts);
      console.error(
        `edora predict: ${count} line${count === 1 ? '' : 's'} → ${opts.out} (${seconds.toFixed(1)} s)`,
      );
    });
}

function positiveInt(flag: string, v: string | number | undefined, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`${flag} must be a positive integer, got '${String(v)}'`);
  return n;
}

/** The work behind `edora predict`; throws one clear line on bad input. */
export function runPredict(opts: PredictOptions): { count: number; seconds: number } {
  const start = performance.now();
  const batchSize = positiveInt('--batch-size', opts.batchSize, 16);
  const records = readRecords(opts.input);
  if (!existsSync(opts.model) || !statSync(opts.model).isDirectory()) {
    throw new Error(`--model ${opts.model}: not a directory`);
  }
  if (!existsSync(join(opts.model, 'config.json'))) {
    throw new Error(`--model ${opts.model}: no config.json in that directory`);
  }
  // An adapter may bring its own classifier (modules_to_save) and its own labels.
  const { model, config, fresh } = loadAdaptedClassifier(opts.model, opts.adapter);
  if (fresh.some((p) => p.startsWith('classifier.'))) {
    throw new Error(
      `--model ${opts.model}: the checkpoint has no classification head (classifier weights are missing); fine-tune it first`,
    );
  }
  const tokenizer = loadTokenizer(opts.model);
  // RoBERTa's positions start after padding_idx, so it holds fewer tokens than its table.
  const limit =
    config.maxPositionEmbeddings -
    (config.modelType === 'roberta' ? (config.padTokenId ?? 0) + 1 : 0);
  const maxLength = positiveInt(
    '--max-length',
    opts.maxLength,
    Math.min(limit, tokenizer.modelMaxLength ?? limit),
  );
  if (maxLength > limit) {
    throw new Error(
      `--max-length ${maxLength} exceeds the ${limit} tokens ${opts.model} supports (max_position_embeddings)`,
    );
  }
  const lines = predictRecords(model, tokenizer, records, { batchSize, maxLength });
  writeFileAtomic(opts.out, lines.map((l) => `${l}\n`).join(''));
  return { count: records.length, seconds: (performance.now() - start) / 1000 };
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
export function readRecords(path: string): PredictRecord[] {
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
