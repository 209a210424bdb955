/**
 * `edora train` and `edora eval`: fine-tune a classifier with an adapter on a
 * built-in task, a GLUE task directory or your own files; evaluate a saved
 * adapter.
 */
import { rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { methods, methodValue } from '../../adapters/registry.js';
import { DEFAULTS } from '../../config/defaults.js';
import type { TaskData } from '../../data/types.js';
import { lockDir } from '../../io/dir-lock.js';
import { readAdapterLabels } from '../../peft/labels.js';
import { loadPeftAdapter, savePeftAdapter } from '../../peft/save.js';
import { evaluate } from '../../train/loop.js';
import { describeChanges, type SettingChanges } from '../../train/resume-settings.js';
import { DEFAULT_LR } from '../../workflows/bench.js';
import {
  classifierTask,
  DEFAULT_MAX_GRAD_NORM,
  FINETUNE_METHODS,
  type FinetuneMethod,
  type FinetuneOptions,
  finetune,
  finetuneMethod,
} from '../../workflows/finetune.js';
import { saveFullModel } from '../../workflows/full.js';
import { alignToAdapterLabels } from '../../workflows/labels.js';
import { configOption } from '../config-file.js';
import { type DataOptions, dataOptions, taskDataFromFlags } from '../data-args.js';
import { catchInterrupt } from '../interrupt.js';
import { numberOption, positiveInt, ratioOption, withDefault } from '../options.js';
import { type RunSummary, writeReport } from '../report.js';
import { appendLogRecord, truncateLogForResume } from '../train-log.js';
import { checkOutputDir, removeEarlierRun } from '../train-output.js';
import {
  addTrainingFlags,
  parseTrainingFlags,
  type TrainingFlagOptions,
} from '../training-flags.js';

export interface TrainCliOptions extends DataOptions, TrainingFlagOptions {
  model: string;
  method: string;
  r: string;
  alpha: string;
  target?: string;
  epochs: string;
  maxSteps?: string;
  batchSize: string;
  gradAccum: string;
  lr?: string;
  headLr?: string;
  weightDecay: string;
  warmupRatio: string;
  maxGradNorm?: string;
  seed: string;
  out?: string;
  resume?: boolean;
  overwrite?: boolean;
  overrideResume?: boolean;
  checkpointEvery?: string;
  keepCheckpoints?: boolean;
  earlyStopping?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const d = DEFAULTS.train;
  const cmd = program
    .command('train')
    .description('fine-tune a text classifier with an adapter (EDoRA by default)')
    .addHelpText('after', methodsHelp());
  withDefault(cmd, '--model <use-lite|dir>', d.model);
  withDefault(
    cmd,
    '--method <name>',
    d.method,
    `${d.method.help}: ${FINETUNE_METHODS.join(', ')} (full: every weight of the model, no adapter)`,
  );
  withDefault(cmd, '--r <n>', d.r);
  withDefault(cmd, '--alpha <a>', d.alpha);
  cmd.option('--target <names>', "comma-separated target modules, or 'all-linear' (default)");
  withDefault(cmd, '--epochs <n>', d.epochs);
  cmd.option('--max-steps <n>', 'stop after this many optimizer steps');
  withDefault(cmd, '--batch-size <n>', d.batchSize);
  withDefault(cmd, '--grad-accum <n>', d.gradientAccumulation);
  cmd
    .option(
      '--lr <x>',
      `${d.lr.help} (default ${d.lr.value.toExponential()}; for full, the encoder's, default ${DEFAULT_LR.full.toExponential()})`,
    )
    .option('--head-lr <x>', 'classifier head learning rate (default: --lr)');
  withDefault(cmd, '--weight-decay <x>', d.weightDecay);
  withDefault(cmd, '--warmup-ratio <x>', d.warmupRatio);
  cmd.option(
    '--max-grad-norm <x>',
    `${d.maxGradNorm.help}; default ${d.maxGradNorm.value}, and 0 for ${unclipped()}, whose R gradient would starve the head`,
  );
  withDefault(cmd, '--seed <n>', d.seed);
  cmd
    .option('--out <dir>', 'write the best adapter, checkpoints, log.jsonl and a report here')
    .option('--resume', 'continue from <out>/checkpoint')
    .option(
      '--overwrite',
      'start over in a --out that holds an earlier run (only what edora wrote there is removed)',
    )
    .option(
      '--override-resume',
      "with --resume: accept a --batch-size, --grad-accum, --lr or --head-lr other than the checkpoint's (logged)",
    )
    .option('--checkpoint-every <n>', 'also checkpoint every n optimizer steps')
    .option(
      '--keep-checkpoints',
      "keep every checkpoint's adapter in <out>/checkpoints/step-N/ (the series `edora analyze` reads)",
    )
    .option('--early-stopping <n>', 'stop after n evaluations without improvement')
    .option('--json', 'print the final metrics as one JSON object');
  addTrainingFlags(cmd);
  configOption(dataOptions(cmd)).action((opts: TrainCliOptions) => {
    return runTrain(opts);
  });
}

/** `--help`'s list of the adapter methods, one line each, from their descriptions. */
function methodsHelp(): string {
  const list = methods();
  const width = Math.max(...list.map((m) => m.name.length));
  const lines = list.flatMap((m) => [
    `  ${m.name.padEnd(width)}  ${m.help}`,
    ...(m.options ?? []).map(
      (o) => `  ${' '.repeat(width)}    --option ${o.key}=… (default ${o.default}): ${o.help}`,
    ),
  ]);
  return `\nAdapter methods (--method):\n${lines.join('\n')}`;
}

/** The methods trained without clipping by default. */
function unclipped(): string {
  return methods()
    .filter((m) => m.defaultMaxGradNorm === 0)
    .map((m) => m.name)
    .join(' and ');
}

export async function runTrain(opts: TrainCliOptions): Promise<void> {
  const method = finetuneMethod('--method', opts.method);
  if (method === 'full' && opts.target !== undefined)
    throw new Error('--target: --method full trains every weight of the model; drop --target');
  if (opts.resume && !opts.out)
    throw new Error('--resume needs --out (the directory holding the checkpoint)');
  if (opts.resume && opts.overwrite)
    throw new Error(
      '--resume and --overwrite cannot be combined: continue the run in --out, or start it over',
    );
  if (opts.keepCheckpoints && !opts.out)
    throw new Error('--keep-checkpoints needs --out (the series goes to <out>/checkpoints/)');
  if (opts.overrideResume && !opts.resume) throw new Error('--override-resume needs --resume');
  const data = taskDataFromFlags(opts);
  const options = finetuneOptions(opts, method);
  const out = opts.out;
  if (!out) return trainAndReport(opts, data, options, null);
  // One run per --out: a second one would mix its log and checkpoints with the first's.
  const lock = lockDir(out);
  if (lock.tookOver)
    console.error(
      `edora train: taking over ${lock.path} from pid ${lock.tookOver.pid}, which is no longer running`,
    );
  try {
    checkOutputDir(out, { resume: options.resume ?? false, overwrite: opts.overwrite ?? false });
    await trainAndReport(opts, data, options, out);
  } finally {
    lock.release();
    // Bad input (a model that does not load, say) leaves nothing behind.
    if (lock.created) rmdirIfEmpty(out);
  }
}

function rmdirIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty: the run wrote something worth keeping
  }
}

/** The library's options from the command line; each bad value named by its flag. */
export function finetuneOptions(opts: TrainCliOptions, method: FinetuneMethod): FinetuneOptions {
  // Unset: finetune() takes the method's own clipping; the training flags check against the effective one.
  const maxGradNorm =
    opts.maxGradNorm === undefined ? undefined : numberOption('--max-grad-norm', opts.maxGradNorm);
  const effectiveMaxGradNorm =
    maxGradNorm ?? methodValue(DEFAULT_MAX_GRAD_NORM, method, 'DEFAULT_MAX_GRAD_NORM');
  return {
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
    // Full fine-tuning moves the pretrained weights themselves: a far smaller step than an adapter's.
    lr:
      opts.lr === undefined
        ? method === 'full'
          ? DEFAULT_LR.full
          : DEFAULTS.train.lr.value
        : numberOption('--lr', opts.lr),
    headLr: opts.headLr === undefined ? undefined : numberOption('--head-lr', opts.headLr),
    weightDecay: numberOption('--weight-decay', opts.weightDecay),
    warmupRatio: ratioOption('--warmup-ratio', opts.warmupRatio),
    maxGradNorm,
    ...parseTrainingFlags(opts, [method], () => effectiveMaxGradNorm),
    seed: positiveInt('--seed', opts.seed, true),
    outputDir: opts.out,
    resume: opts.resume ?? false,
    overrideResume: opts.overrideResume ?? false,
    checkpointEvery:
      opts.checkpointEvery === undefined
        ? undefined
        : positiveInt('--checkpoint-every', opts.checkpointEvery),
    keepCheckpoints: opts.keepCheckpoints ?? false,
    earlyStoppingPatience:
      opts.earlyStopping === undefined
        ? undefined
        : positiveInt('--early-stopping', opts.earlyStopping),
    onNotice: (line) => console.error(`edora train: ${line}`),
  };
}

/** Train with a progress bar and Ctrl-C handling; write the adapter, log and report into `out`. */
async function trainAndReport(
  opts: TrainCliOptions,
  data: TaskData,
  options: FinetuneOptions,
  out: string | null,
): Promise<void> {
  const logPath = out ? join(out, 'log.jsonl') : null;
  const bar = new SingleBar({
    format: 'train |{bar}| {value}/{total} steps | loss {loss} | {rate} | ETA {eta_formatted}',
    hideCursor: true,
    noTTYOutput: false,
    stream: process.stderr,
  });
  let barState: 'idle' | 'shown' | 'stopped' = 'idle';
  const stopBar = (): void => {
    if (barState === 'shown') bar.stop(); // also shows the cursor again
    barState = 'stopped';
  };
  const interrupt = catchInterrupt(() => {
    stopBar();
    console.error(
      out
        ? 'edora train: stopping after this step and saving a checkpoint; press Ctrl-C again to quit at once (the last checkpoint stays valid)'
        : 'edora train: stopping after this step; press Ctrl-C again to quit at once',
    );
  });
  let result: Awaited<ReturnType<typeof finetune>>;
  try {
    result = await finetune(data, {
      ...options,
      onProgress: (p) => {
        if (barState === 'stopped') return;
        if (barState === 'idle') {
          bar.start(p.totalSteps, 0, { loss: '-', rate: '-' });
          barState = 'shown';
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
        if (!logPath) return;
        if (record['type'] === 'resume') {
          truncateLogForResume(logPath, record['step'] as number, record['evaluations'] as number);
          if (record['overrides'])
            console.error(
              `edora train: --override-resume: ${describeChanges(record['overrides'] as SettingChanges)}`,
            );
        }
        appendLogRecord(logPath, record);
      },
      // --overwrite: the earlier run goes once this one has loaded and checked everything.
      onStart: out && opts.overwrite ? () => removeEarlierRun(out) : undefined,
      shouldStop: () => interrupt.requested,
    });
  } finally {
    stopBar();
    interrupt.dispose();
  }
  if (result.train.interrupted) {
    console.error(
      out
        ? `edora train: interrupted at step ${result.train.steps}; the checkpoint is in ${join(out, 'checkpoint')}; continue with --resume --out ${out}`
        : `edora train: interrupted at step ${result.train.steps}; no checkpoint was saved (run with --out DIR to make a run resumable)`,
    );
    process.exitCode = 130;
    return;
  }
  const summary: RunSummary = {
    task: data.name,
    method: options.method,
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
    // The trained adapter (the best evaluation's tensors) and its metrics;
    // full fine-tuning has no adapter: the model itself, in its own format.
    if (options.method === 'full')
      saveFullModel(result.peft, opts.model, data.labels, join(out, 'model'));
    else savePeftAdapter(result.peft, join(out, 'adapter'));
    await writeReport(join(out, 'report'), summary);
  }
  if (opts.json) console.log(JSON.stringify(summary));
  else {
    console.log(
      `${data.name} · ${options.method}: ${result.trainable.toLocaleString('en-US')} trainable parameters, ${summary.steps} steps in ${summary.seconds} s`,
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
      taskDataFromFlags(opts),
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
