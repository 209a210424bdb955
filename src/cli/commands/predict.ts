/**
 * `edora predict`: a sequence classification model's logits and label for
 * each line of a JSONL file ({"text": …, "text_pair"?: …}), written as JSON
 * lines {"text": …, "logits": […], "label": …} (regression models write
 * "score" instead of "label"). The work is the library's predictFile
 * (workflows/predict.ts); this parses the flags and prints.
 */
import type { Command } from 'commander';
import { predictFile } from '../../workflows/predict.js';
import { positiveInt } from '../options.js';

export interface PredictOptions {
  model: string;
  adapter?: string;
  input: string;
  out: string;
  batchSize?: string | number;
  maxLength?: string | number;
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

/** The work behind `edora predict`; throws one clear line on bad input. */
export function runPredict(opts: PredictOptions): { count: number; seconds: number } {
  const start = performance.now();
  const { count } = predictFile({
    model: opts.model,
    adapter: opts.adapter,
    input: opts.input,
    out: opts.out,
    batchSize:
      opts.batchSize === undefined ? undefined : positiveInt('--batch-size', opts.batchSize),
    maxLength:
      opts.maxLength === undefined ? undefined : positiveInt('--max-length', opts.maxLength),
  });
  return { count, seconds: (performance.now() - start) / 1000 };
}
