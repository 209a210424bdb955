/**
 * `edora study`: several seeds, a learning-rate grid per method chosen on
 * the validation split, mean ± std, EDoRA paired against each other method,
 * charts; resumable. The work is runStudy's (src/workflows/study.ts); this
 * file parses flags and shows progress.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { methodValue } from '../../adapters/registry.js';
import { DEFAULTS } from '../../config/defaults.js';
import { type BuiltinTaskName, loadBuiltinTask } from '../../data/builtin/index.js';
import { BENCH_METHODS, DEFAULT_LR } from '../../workflows/bench.js';
import { DEFAULT_MAX_GRAD_NORM, type FinetuneMethod } from '../../workflows/finetune.js';
import { describeRun, type StudySettings } from '../../workflows/study/plan.js';
import type { RunRecord } from '../../workflows/study/store.js';
import { runStudy } from '../../workflows/study.js';
import { type BenchRunFlags, benchRunFlags, methodList, taskList } from '../bench-args.js';
import { numberOption, positiveInt } from '../options.js';
import { type Grid, parseGrid, parseSeeds, positiveIntList, readGridFile } from '../study-args.js';
import {
  addTrainingFlags,
  parseTrainingFlags,
  type TrainingFlagOptions,
} from '../training-flags.js';

interface StudyCliOptions extends BenchRunFlags, TrainingFlagOptions {
  out: string;
  seeds: string;
  selectSeeds: string;
  ranks: string;
  lrGrid?: string;
  headLrGrid?: string;
  grid?: string;
  earlyStopping?: string;
  maxGradNorm?: string;
  json?: boolean;
}

/** `edora bench`'s head learning rate of the adapter methods: the head grid's default. */
const DEFAULT_HEAD_LR = DEFAULTS.bench.headLr.value;

/** Defaults, then the grid file, then the flags: a later source replaces a method's list. */
function grids(opts: StudyCliOptions): { lr: Grid; headLr: Grid } {
  const file = opts.grid === undefined ? { lr: {}, headLr: {} } : readGridFile(opts.grid);
  const defaults = (value: (m: FinetuneMethod) => number): Grid =>
    Object.fromEntries(BENCH_METHODS.map((m) => [m, [value(m)]]));
  return {
    lr: {
      ...defaults((m) => methodValue(DEFAULT_LR, m, 'DEFAULT_LR')),
      ...file.lr,
      ...(opts.lrGrid === undefined ? {} : parseGrid('--lr-grid', opts.lrGrid)),
    },
    headLr: {
      ...defaults(() => DEFAULT_HEAD_LR),
      ...file.headLr,
      ...(opts.headLrGrid === undefined ? {} : parseGrid('--head-lr-grid', opts.headLrGrid)),
    },
  };
}

function settingsFrom(opts: StudyCliOptions): StudySettings {
  const methods = methodList('--methods', opts.methods);
  const seeds = parseSeeds(opts.seeds);
  const selectSeeds = positiveInt('--select-seeds', opts.selectSeeds);
  if (selectSeeds > seeds.length)
    throw new Error(
      `--select-seeds: at most the ${seeds.length} seed${seeds.length > 1 ? 's' : ''} of --seeds, got ${selectSeeds}`,
    );
  const { lr, headLr } = grids(opts);
  const only = (g: Grid): Record<string, number[]> =>
    Object.fromEntries(methods.map((m) => [m, g[m]!]));
  const clip =
    opts.maxGradNorm === undefined ? null : numberOption('--max-grad-norm', opts.maxGradNorm);
  const maxGradNorm = (m: FinetuneMethod): number =>
    clip ?? methodValue(DEFAULT_MAX_GRAD_NORM, m, 'DEFAULT_MAX_GRAD_NORM');
  return {
    tasks: taskList('--tasks', opts.tasks),
    methods,
    seeds,
    selectSeeds,
    ranks: positiveIntList('--ranks', opts.ranks),
    lrGrid: only(lr),
    headLrGrid: only(headLr),
    maxGradNorm: Object.fromEntries(methods.map((m) => [m, maxGradNorm(m)])),
    // Fixed for every run, and in a run's key only away from the default (plan.ts's runSpec).
    ...parseTrainingFlags(opts, methods, maxGradNorm),
    budget: {
      epochs: positiveInt('--epochs', opts.epochs),
      probeEpochs: positiveInt('--probe-epochs', opts.probeEpochs),
      batchSize: positiveInt('--batch-size', opts.batchSize),
      alpha: numberOption('--alpha', opts.alpha),
      maxTrain: positiveInt('--max-train', opts.maxTrain),
      maxEval: positiveInt('--max-eval', opts.maxEval),
      earlyStopping:
        opts.earlyStopping === undefined
          ? null
          : positiveInt('--early-stopping', opts.earlyStopping),
    },
  };
}

function runLine(record: RunRecord): string {
  if (record.error !== undefined) return `${describeRun(record.spec)}: failed (${record.error})`;
  return `${describeRun(record.spec)}: validation ${record.metric} ${record.validation.toFixed(4)}, test ${record.test.toFixed(4)} (${record.seconds.toFixed(0)} s)`;
}

export function register(program: Command): void {
  const cmd = program
    .command('study')
    .description(
      'several seeds, a learning-rate grid per method chosen on validation, mean ± std, EDoRA paired against each method, charts; resumable',
    )
    .requiredOption(
      '--out <dir>',
      'the study directory: runs/ (one file per finished run), report/',
    );
  benchRunFlags(cmd);
  cmd
    .option('--seeds <list>', 'a count n (seeds 1…n) or a comma-separated list of seeds', '3')
    .option('--select-seeds <n>', 'how many of the first seeds choose the grid point', '1')
    .option('--ranks <list>', 'comma-separated ranks of the adapter methods', '8')
    .option(
      '--lr-grid <grid>',
      "adapter learning rates: '1e-3,1e-2' (every method) or 'edora=5e-3,1e-2;lora=1e-3,2e-3' (default: the bench's rate per method)",
    )
    .option(
      '--head-lr-grid <grid>',
      `head learning rates, same forms (default ${DEFAULT_HEAD_LR}; the probe's head rate is its --lr-grid)`,
    )
    .option(
      '--grid <file>',
      'a JSON grid file: {"lr": {"edora": [...], ...}, "headLr": [...]}; --lr-grid and --head-lr-grid override it per method',
    )
    .option('--early-stopping <n>', 'stop a run after n evaluations without improvement')
    .option(
      '--max-grad-norm <x>',
      'gradient clipping of every method run, 0 = off (default: per method)',
    )
    .option('--json', 'print a one-line JSON summary (the figures are in report/results.json)')
    .action(async (opts: StudyCliOptions) => {
      const settings = settingsFrom(opts);
      let stop = false;
      const onSigint = (): void => {
        stop = true;
      };
      process.on('SIGINT', onSigint);
      const bar = new SingleBar({
        format: 'study |{bar}| {done}/{total} runs | {rate} | ETA {left} | {run}',
        stream: process.stderr,
        hideCursor: true,
      });
      let active = false;
      let total = 0;
      let finished = 0;
      let performedRuns = 0;
      let current = '';
      let start = 0;
      const hours = (s: number): string =>
        s < 90
          ? `${s.toFixed(0)} s`
          : s < 5400
            ? `${(s / 60).toFixed(0)} min`
            : `${(s / 3600).toFixed(1)} h`;
      /** Progress in runs (a run counts by its steps); rate and ETA from this session's runs only. */
      const show = (fraction: number): void => {
        const elapsed = (performance.now() - start) / 1000;
        const doneHere = performedRuns + fraction;
        const payload = {
          done: finished,
          run: current,
          rate: doneHere > 0 ? `${((3600 * doneHere) / elapsed).toFixed(1)} runs/h` : '– runs/h',
          left: doneHere > 0 ? hours((elapsed / doneHere) * (total - finished - fraction)) : '–',
        };
        if (!active) {
          bar.start(total, finished + fraction, payload);
          active = true;
        } else bar.update(finished + fraction, payload);
      };
      let outcome: Awaited<ReturnType<typeof runStudy>>;
      try {
        outcome = await runStudy({
          settings,
          out: opts.out,
          loadTask: (name, limits) =>
            loadBuiltinTask(name as BuiltinTaskName, {
              maxPerSplit: {
                train: limits.maxTrain,
                validation: limits.maxEval,
                test: limits.maxEval,
              },
            }),
          onStart: (t, f) => {
            total = t;
            finished = f;
            start = performance.now();
            if (f > 0) console.error(`${f} of ${t} runs already finished in ${opts.out}`);
          },
          onRunStart: (spec) => {
            current = describeRun(spec);
            show(0);
          },
          onRunProgress: (step, steps) => show(step / steps),
          onRunEnd: (record) => {
            finished++;
            performedRuns++;
            // The bar stops for the line and comes back with the next run (silent when stderr is no terminal).
            if (active) bar.stop();
            active = false;
            console.error(`[${finished}/${total}] ${runLine(record)}`);
          },
          shouldStop: () => stop,
        });
      } finally {
        if (active) bar.stop();
        process.off('SIGINT', onSigint);
      }
      if (!outcome.complete) {
        console.error(
          `edora study: stopped; ${finished} of ${total} runs finished (in ${join(opts.out, 'runs')}); run the same command to continue`,
        );
        process.exitCode = 130;
        return;
      }
      const reportDir = outcome.reportDir!;
      if (opts.json) {
        const { complete, total: t, reused, performed } = outcome;
        console.log(
          JSON.stringify({
            study: opts.out,
            complete,
            total: t,
            reused,
            performed,
            report: reportDir,
          }),
        );
        return;
      }
      console.log(readFileSync(join(reportDir, 'results.md'), 'utf8'));
      console.log(`report: ${reportDir} (results.json, results.md, charts)`);
    });
  // Options added after .action still parse; kept apart so the chain above stays as it was.
  addTrainingFlags(cmd);
}
