/** `edora bench`: the main job — every method on every built-in task, one table. */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import {
  BUILTIN_TASKS,
  type BuiltinTaskName,
  DEFAULT_TASKS,
  loadBuiltinTask,
} from '../../data/builtin/index.js';
import {
  BENCH_METHODS,
  type BenchRow,
  benchTable,
  DEFAULT_LR,
  runBench,
} from '../../workflows/bench.js';
import { DEFAULT_MAX_GRAD_NORM, type FinetuneMethod } from '../../workflows/finetune.js';
import { numberOption, positiveInt } from '../options.js';
import {
  addTrainingFlags,
  parseTrainingFlags,
  type TrainingFlagOptions,
} from '../training-flags.js';

interface BenchCliOptions extends TrainingFlagOptions {
  tasks: string;
  methods: string;
  maxTrain: string;
  maxEval: string;
  epochs: string;
  batchSize: string;
  r: string;
  alpha: string;
  headLr: string;
  lr?: string;
  maxGradNorm?: string;
  probeEpochs: string;
  seed: string;
  json?: boolean;
}

/** One value for every method (the probe keeps `probe` when given: its head is its adapter). */
function everyMethod(value: number, probe = value): Record<FinetuneMethod, number> {
  return { lora: value, dora: value, 'lora-xs': value, edora: value, full: value, probe };
}

export function register(program: Command): void {
  const cmd = program
    .command('bench')
    .description(
      'the main job: fine-tune USE-Lite on the built-in tasks with each method and print one comparison table',
    )
    .option(
      '--tasks <names>',
      `comma-separated built-in tasks (${BUILTIN_TASKS.join(', ')})`,
      DEFAULT_TASKS.join(','),
    )
    .option(
      '--methods <names>',
      `comma-separated methods (${BENCH_METHODS.join(', ')})`,
      'edora,dora,lora,probe',
    )
    .option('--max-train <n>', 'training examples per task (deterministic subsample)', '600')
    .option('--max-eval <n>', 'validation and test examples per task', '300')
    .option('--epochs <n>', 'epochs', '2')
    .option('--batch-size <n>', 'examples per step', '16')
    .option('--r <n>', 'rank', '8')
    .option('--alpha <a>', 'lora_alpha', '16')
    .option('--probe-epochs <n>', 'epochs of the linear probe (on cached embeddings)', '20')
    .option(
      '--head-lr <x>',
      'classifier head learning rate of the adapter methods and full',
      '5e-2',
    )
    .option('--lr <x>', 'adapter learning rate of every method run (default: per method)')
    .option(
      '--max-grad-norm <x>',
      'gradient clipping of every method run, 0 = off (default: per method)',
    )
    .option('--seed <n>', 'seed', '42')
    .option('--json', 'print the rows as one JSON object')
    .action(async (opts: BenchCliOptions) => {
      const tasks = opts.tasks.split(',').map((s) => s.trim());
      for (const t of tasks) {
        if (!BUILTIN_TASKS.includes(t as BuiltinTaskName))
          throw new Error(`--tasks: unknown task '${t}' (expected ${BUILTIN_TASKS.join(', ')})`);
      }
      const methods = opts.methods.split(',').map((s) => s.trim()) as FinetuneMethod[];
      for (const m of methods) {
        if (!BENCH_METHODS.includes(m)) throw new Error(`--methods: unknown method '${m}'`);
      }
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
      const fixed = parseTrainingFlags(opts, methods, (m) => settings.maxGradNorm[m]);
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
  // Options added after .action still parse; kept apart so the chain above stays as it was.
  addTrainingFlags(cmd);
}
