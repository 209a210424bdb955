/** `edora bench`: the main job — every method on every built-in task, one table. */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { DEFAULTS } from '../../config/defaults.js';
import { type BuiltinTaskName, loadBuiltinTask } from '../../data/builtin/index.js';
import {
  BENCH_METHODS,
  type BenchRow,
  benchTable,
  DEFAULT_LR,
  runBench,
} from '../../workflows/bench.js';
import { DEFAULT_MAX_GRAD_NORM, type FinetuneMethod } from '../../workflows/finetune.js';
import { type BenchRunFlags, benchRunFlags, methodList, taskList } from '../bench-args.js';
import { configOption } from '../config-file.js';
import { numberOption, positiveInt, withDefault } from '../options.js';
import {
  addTrainingFlags,
  parseTrainingFlags,
  type TrainingFlagOptions,
} from '../training-flags.js';

export interface BenchCliOptions extends BenchRunFlags, TrainingFlagOptions {
  r: string;
  headLr: string;
  lr?: string;
  maxGradNorm?: string;
  seed: string;
  json?: boolean;
}

/** One value for every method (the probe keeps `probe` when given: its head is its adapter). */
function everyMethod(value: number, probe = value): Record<FinetuneMethod, number> {
  return Object.fromEntries(BENCH_METHODS.map((m) => [m, m === 'probe' ? probe : value]));
}

/** The bench's settings from its flags; each bad value named by its flag. */
export function benchSettings(opts: BenchCliOptions) {
  const tasks = taskList('--tasks', opts.tasks);
  const methods = methodList('--methods', opts.methods);
  const maxTrain = positiveInt('--max-train', opts.maxTrain);
  const maxEval = positiveInt('--max-eval', opts.maxEval);
  // Every setting of the run, also recorded in the JSON output.
  const settings = {
    r: positiveInt('--r', opts.r),
    alpha: numberOption('--alpha', opts.alpha),
    epochs: positiveInt('--epochs', opts.epochs),
    probeEpochs: positiveInt('--probe-epochs', opts.probeEpochs),
    batchSize: positiveInt('--batch-size', opts.batchSize),
    seed: positiveInt('--seed', opts.seed, true),
    lr:
      opts.lr === undefined
        ? DEFAULT_LR
        : everyMethod(numberOption('--lr', opts.lr), DEFAULT_LR.probe),
    maxGradNorm:
      opts.maxGradNorm === undefined
        ? DEFAULT_MAX_GRAD_NORM
        : everyMethod(numberOption('--max-grad-norm', opts.maxGradNorm)),
    headLr: numberOption('--head-lr', opts.headLr),
  };
  // σ(R), the magnitude's rate and per-group clipping: the same for every run; recorded only when given.
  const clipOf = settings.maxGradNorm as Record<string, number>;
  const fixed = parseTrainingFlags(opts, methods, (m) => clipOf[m] ?? 1);
  return { tasks, methods, maxTrain, maxEval, settings, fixed };
}

export function register(program: Command): void {
  const d = DEFAULTS.train;
  const cmd = program
    .command('bench')
    .description(
      'the main job: fine-tune USE-Lite on the built-in tasks with each method and print one comparison table',
    );
  benchRunFlags(cmd);
  withDefault(cmd, '--r <n>', d.r);
  withDefault(cmd, '--head-lr <x>', DEFAULTS.bench.headLr);
  withDefault(cmd, '--seed <n>', d.seed);
  cmd
    .option('--lr <x>', 'adapter learning rate of every method run (default: per method)')
    .option(
      '--max-grad-norm <x>',
      'gradient clipping of every method run, 0 = off (default: per method)',
    )
    .option('--json', 'print the rows as one JSON object');
  addTrainingFlags(cmd);
  configOption(cmd).action(async (opts: BenchCliOptions) => {
    const { tasks, methods, maxTrain, maxEval, settings, fixed } = benchSettings(opts);
    const bar = new SingleBar({
      format: '{run} |{bar}| {value}/{total} steps | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
    });
    let current = '';
    const start = performance.now();
    let rows: BenchRow[];
    try {
      rows = await runBench({
        tasks,
        methods,
        loadTask: (name) =>
          loadBuiltinTask(name as BuiltinTaskName, {
            maxPerSplit: { train: maxTrain, validation: maxEval, test: maxEval },
          }),
        ...settings,
        ...fixed,
        onRunStart: (task, method) => {
          if (current) bar.stop();
          current = `${task} · ${method}`.padEnd(16);
        },
        onRunEnd: (task, method, metric, value, secs) => {
          if (current) bar.stop();
          current = '';
          // One line per run, also when stderr is not a terminal (the bar then stays silent).
          console.error(
            `${task} · ${method}: test ${metric} ${value.toFixed(4)} (${secs.toFixed(0)} s)`,
          );
        },
        onProgress: (_task, _method, step, total) => {
          if (step === 1) bar.start(total, 0, { run: current });
          bar.update(step, { run: current });
        },
      });
    } finally {
      if (current) bar.stop();
    }
    const seconds = (performance.now() - start) / 1000;
    if (opts.json) {
      console.log(
        JSON.stringify({
          bench: 'methods',
          model: 'use-lite',
          tasks,
          settings: { ...settings, ...fixed, maxTrain, maxEval },
          rows,
          seconds,
        }),
      );
      return;
    }
    console.log(
      `\nUSE-Lite fine-tuned on ${tasks.join(', ')} (≤ ${maxTrain} train, ≤ ${maxEval} test examples per task; test-split metric, %; val avg: the validation splits' mean)`,
    );
    console.log(benchTable(rows, tasks));
    console.log(`total wall time ${seconds.toFixed(0)} s`);
  });
}
