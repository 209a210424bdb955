/**
 * `edora train` and `edora eval`: fine-tune a classifier with an adapter on a
 * built-in task, a GLUE task directory or your own files; evaluate a saved
 * adapter.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { METHOD_NAMES } from '../../adapters/types.js';
import { readAdapterLabels } from '../../peft/labels.js';
import { loadPeftAdapter, savePeftAdapter } from '../../peft/save.js';
import { evaluate } from '../../train/loop.js';
import {
  classifierTask,
  DEFAULT_MAX_GRAD_NORM,
  type FinetuneMethod,
  type FinetuneOptions,
  finetune,
} from '../../workflows/finetune.js';
import { alignToAdapterLabels } from '../../workflows/labels.js';
import { type DataOptions, dataOptions, loadTaskData } from '../data-args.js';
import { numberOption, positiveInt } from '../options.js';
import { type RunSummary, writeReport } from '../report.js';

interface TrainCliOptions extends DataOptions {
  model: string;
  method: string;
  r: string;
  alpha: string;
  target?: string;
  epochs: string;
  maxSteps?: string;
  batchSize: string;
  gradAccum: string;
  lr: string;
  headLr?: string;
  weightDecay: string;
  warmupRatio: string;
  maxGradNorm?: string;
  seed: string;
  out?: string;
  resume?: boolean;
  checkpointEvery?: string;
  earlyStopping?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('fine-tune a text classifier with an adapter (EDoRA by default)')
    .option(
      '--model <use-lite|dir>',
      "'use-lite' or a Hugging Face BERT/RoBERTa directory",
      'use-lite',
    )
    .option('--method <name>', `${[...METHOD_NAMES, 'probe'].join(', ')}`, 'edora')
    .option('--r <n>', 'rank', '8')
    .option('--alpha <a>', 'lora_alpha (scaling alpha/r)', '16')
    .option('--target <names>', "comma-separated target modules, or 'all-linear' (default)")
    .option('--epochs <n>', 'epochs', '3')
    .option('--max-steps <n>', 'stop after this many optimizer steps')
    .option('--batch-size <n>', 'examples per batch', '16')
    .option('--grad-accum <n>', 'batches per optimizer step', '1')
    .option('--lr <x>', 'adapter learning rate', '5e-3')
    .option('--head-lr <x>', 'classifier head learning rate (default: --lr)')
    .option('--weight-decay <x>', 'AdamW weight decay (not on biases, norms, magnitudes)', '0.01')
    .option('--warmup-ratio <x>', 'linear warmup over this fraction of the steps', '0.06')
    .option(
      '--max-grad-norm <x>',
      'clip the gradient norm (0 = off; default 1, and 0 for edora and lora-xs, whose R gradient would starve the head)',
    )
    .option('--seed <n>', 'seed of the head, the adapter and the batch order', '42')
    .option('--out <dir>', 'write the best adapter, checkpoints, log.jsonl and a report here')
    .option('--resume', 'continue from <out>/checkpoint')
    .option('--checkpoint-every <n>', 'also checkpoint every n optimizer steps')
    .option('--early-stopping <n>', 'stop after n evaluations without improvement')
    .option('--json', 'print the final metrics as one JSON object');
  dataOptions(cmd).action((opts: TrainCliOptions) => {
    return runTrain(opts);
  });
}

export async function runTrain(opts: TrainCliOptions): Promise<void> {
  const method = opts.method as FinetuneMethod;
  if (![...METHOD_NAMES, 'probe'].includes(method)) {
    throw new Error(
      `--method: unknown method '${opts.method}' (expected ${[...METHOD_NAMES, 'probe'].join(', ')})`,
    );
  }
  if (opts.resume && !opts.out)
    throw new Error('--resume needs --out (the directory holding the checkpoint)');
  const data = loadTaskData(opts);
  const out = opts.out;
  // The output directory appears only once training starts: bad input leaves nothing behind.
  const logPath = out ? join(out, 'log.jsonl') : null;
  const bar = new SingleBar({
    format: 'train |{bar}| {value}/{total} steps | loss {loss} | {rate} | ETA {eta_formatted}',
    hideCursor: true,
    noTTYOutput: false,
    stream: process.stderr,
  });
  let stop = false;
  const onSigint = (): void => {
    stop = true;
  };
  process.on('SIGINT', onSigint);
  let started = false;
  const options: FinetuneOptions = {
    model: opts.model,
    method,
    r: positiveInt('--r', opts.r),
    alpha: numberOption('--alpha', opts.alpha),
    targetModules:
      opts.target === undefined
        ? undefined
        : opts.target === 'all-linear'
          ? 'all-linear'
          : opts.target.split(','),
    epochs: positiveInt('--epochs', opts.epochs),
    maxSteps:
      opts.maxSteps === undefined ? undefined : positiveInt('--max-steps', opts.maxSteps, true),
    batchSize: positiveInt('--batch-size', opts.batchSize),
    gradientAccumulation: positiveInt('--grad-accum', opts.gradAccum),
    lr: numberOption('--lr', opts.lr),
    headLr: opts.headLr === undefined ? undefined : numberOption('--head-lr', opts.headLr),
    weightDecay: numberOption('--weight-decay', opts.weightDecay),
    warmupRatio: numberOption('--warmup-ratio', opts.warmupRatio),
    maxGradNorm:
      opts.maxGradNorm === undefined
        ? DEFAULT_MAX_GRAD_NORM[method]
        : numberOption('--max-grad-norm', opts.maxGradNorm),
    seed: positiveInt('--seed', opts.seed, true),
    outputDir: out,
    resume: opts.resume ?? false,
    checkpointEvery:
      opts.checkpointEvery === undefined
        ? undefined
        : positiveInt('--checkpoint-every', opts.checkpointEvery),
    earlyStoppingPatience:
      opts.earlyStopping === undefined
        ? undefined
        : positiveInt('--early-stopping', opts.earlyStopping),
    onProgress: (p) => {
      if (!started) {
        bar.start(p.totalSteps, 0, { loss: '-', rate: '-' });
        started = true;
      }
      bar.update(p.step, {
        loss: p.loss.toFixed(4),
        rate:
          p.tokensPerSecond > 0
            ? `${p.tokensPerSecond.toFixed(0)} tok/s`
            : `${p.examplesPerSecond.toFixed(1)} ex/s`,
      });
    },
    onLog: (record) => {
      if (!logPath || !out) return;
      mkdirSync(out, { recursive: true });
      appendFileSync(logPath, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
    },
    shouldStop: () => stop,
    onNotice: (line) => console.error(`edora train: ${line}`),
  };
  let result: Awaited<ReturnType<typeof finetune>>;
  try {
    result = await finetune(data, options);
  } finally {
    if (started) bar.stop();
    process.off('SIGINT', onSigint);
  }
  if (result.train.interrupted) {
    console.error(
      `edora train: interrupted at step ${result.train.steps}; continue with --resume --out ${out}`,
    );
    process.exitCode = 130;
    return;
  }
  const summary: RunSummary = {
    task: data.name,
    method,
    metric: data.metric,
    trainable: result.trainable,
    steps: result.train.steps,
    seconds: Math.round(result.train.seconds * 10) / 10,
    best: result.train.best,
    validation: result.validation,
    test: result.test,
    history: result.train.history,
  };
  if (out) {
    // The trained adapter (the best evaluation's tensors) and its metrics.
    savePeftAdapter(result.peft, join(out, 'adapter'));
    await writeReport(join(out, 'report'), summary);
  }
  if (opts.json) console.log(JSON.stringify(summary));
  else {
    console.log(
      `${data.name} · ${method}: ${result.trainable.toLocaleString('en-US')} trainable parameters, ${summary.steps} steps in ${summary.seconds} s`,
    );
    console.log(`validation: ${fmtMetrics(result.validation)}`);
    console.log(`test:       ${fmtMetrics(result.test)}`);
  }
}

function fmtMetrics(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join(', ');
}

interface EvalCliOptions extends DataOptions {
  model: string;
  adapter: string;
  json?: boolean;
}

export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description('evaluate a trained adapter (with its head) on the validation and test splits')
    .option(
      '--model <use-lite|dir>',
      "'use-lite' or a Hugging Face BERT/RoBERTa directory",
      'use-lite',
    )
    .requiredOption(
      '--adapter <dir>',
      'adapter directory written by edora train (<out>/adapter or <out>/best)',
    )
    .option('--json', 'print the metrics as one JSON object');
  dataOptions(cmd).action((opts: EvalCliOptions) => {
    // Scored with the label indices of the adapter's head (its label_map.json).
    const data = alignToAdapterLabels(
      loadTaskData(opts),
      readAdapterLabels(opts.adapter),
      opts.adapter,
    );
    const task = classifierTask(opts.model, data.labels ? data.labels.length : 1, 0);
    loadPeftAdapter(task.module, opts.adapter);
    const validation = evaluate(task, data.validation).metrics;
    const test = evaluate(task, data.test).metrics;
    if (opts.json)
      console.log(JSON.stringify({ task: data.name, adapter: opts.adapter, validation, test }));
    else {
      console.log(`${data.name} · ${opts.adapter}`);
      console.log(`validation: ${fmtMetrics(validation)}`);
      console.log(`test:       ${fmtMetrics(test)}`);
    }
  });
}
