/**
 * The main job: fine-tune USE-Lite on the built-in tasks with each method and
 * compare — trainable parameters, the task metric on each test split, the
 * average, and wall time. Defaults are sized to finish within about ten
 * minutes on a 2-core machine; every size is an option.
 */

import { optionsFor } from '../adapters/options.js';
import { findMethod, methodList, methodTable, methodValue } from '../adapters/registry.js';
import { DEFAULTS } from '../config/defaults.js';
import type { TaskData } from '../data/types.js';
import type { EpochRecord } from '../train/loop.js';
import {
  DEFAULT_MAX_GRAD_NORM,
  type FinetuneMethod,
  type FinetuneOptions,
  finetune,
} from './finetune.js';
import { formatLoraRatio } from './lora-ratio.js';

export interface BenchOptions {
  tasks: string[];
  methods: FinetuneMethod[];
  loadTask: (name: string) => TaskData;
  r: number;
  alpha: number;
  epochs: number;
  /** Epochs of the linear probe: it trains on cached embeddings, so many are cheap. */
  probeEpochs: number;
  batchSize: number;
  seed: number;
  /** Learning rate per method (adapter tensors) and for the head. */
  lr: Record<FinetuneMethod, number>;
  /** Gradient clipping per method (default DEFAULT_MAX_GRAD_NORM). */
  maxGradNorm?: Record<FinetuneMethod, number>;
  headLr: number;
  /** Fixed for every run: σ(R), the magnitude's rate, per-group clipping (see BenchRunOptions). */
  rInitStd?: number;
  magnitudeLr?: number;
  clipPerGroup?: boolean;
  /** Methods' own settings; each method gets those it declares. */
  methodOptions?: Readonly<Record<string, unknown>>;
  onRunStart?: (task: string, method: FinetuneMethod) => void;
  onProgress?: (task: string, method: FinetuneMethod, step: number, total: number) => void;
  onRunEnd?: (
    task: string,
    method: FinetuneMethod,
    metric: string,
    value: number,
    seconds: number,
  ) => void;
}

export interface BenchRow {
  method: FinetuneMethod;
  trainable: number;
  /** Test-split metric per task. */
  scores: Record<string, { metric: string; value: number }>;
  /** Validation-split metric per task (of the epoch kept). */
  validation: Record<string, { metric: string; value: number }>;
  average: number;
  /** Mean of the validation metrics. */
  validationAverage: number;
  seconds: number;
  /**
   * trainable ÷ LoRA's trainable in the same run; null when LoRA did not run.
   * Taken from the run's own counts (head included, as in `trainable`), not
   * from the parameter formula, so the ratio compares what was trained.
   */
  ratioToLora: number | null;
}

/**
 * Learning rates per method. LoRA and DoRA train A and B directly; LoRA-XS
 * and EDoRA train only the small R between frozen SVD factors, which needs a
 * larger step (6e-2 diverged on era in a sweep; 5e-3 and 2e-2 did not). The
 * probe's head sits on L2-normalised embeddings and needs a large step too.
 * Full fine-tuning moves the pretrained weights themselves: 1e-4, chosen on
 * validation from 3e-5, 1e-4 and 3e-4 (docs/results.md).
 */
export const DEFAULT_LR = methodTable((m) => m.defaultLr, { full: 1e-4, probe: 1e-1 });

/**
 * Every method the bench (and the study) can run: the registered adapter
 * methods, then full and probe (the keys of DEFAULT_LR), so a method
 * registered appears in both commands without another list to update.
 */
export const BENCH_METHODS: readonly FinetuneMethod[] = methodList(['full', 'probe']);

/** The settings of one run: one task, one method, one seed. */
export interface BenchRunOptions {
  method: FinetuneMethod;
  r: number;
  alpha: number;
  epochs: number;
  /** Epochs when the method is the probe (it trains on cached embeddings, so many are cheap). */
  probeEpochs: number;
  batchSize: number;
  /** The adapter's learning rate (the probe's: its head's). */
  lr: number;
  /** The head's learning rate (ignored by the probe, whose head is its adapter). */
  headLr: number;
  maxGradNorm: number;
  /** Clip the adapter's and the head's gradient norms separately (see TrainOptions). */
  clipPerGroup?: boolean;
  /** σ of R's initialisation (EDoRA, LoRA-XS; the others have no R). */
  rInitStd?: number;
  /** Learning rate of the magnitude vectors (DoRA, EDoRA); default lr. */
  magnitudeLr?: number;
  /** The method's own settings (those of `methodOptions` it declares). */
  methodOptions?: Readonly<Record<string, unknown>>;
  seed: number;
  earlyStoppingPatience?: number;
  onProgress?: (step: number, total: number) => void;
  /** Polled between steps: true ends the run early, marked `interrupted`. */
  shouldStop?: () => boolean;
}

export interface BenchRunResult {
  trainable: number;
  metric: string;
  /** Test-split metric of the kept (best-validation) epoch. */
  test: number;
  /** Validation-split metric of the kept epoch. */
  validation: number;
  /** Every evaluation of the run: its learning curve. */
  history: EpochRecord[];
  /** True when shouldStop ended the run before its budget: its figures are not a result. */
  interrupted: boolean;
  seconds: number;
}

/** One bench run: USE-Lite fine-tuned with one method on one task. */
export async function benchRun(data: TaskData, options: BenchRunOptions): Promise<BenchRunResult> {
  const t0 = performance.now();
  const result = await finetune(data, benchFinetuneOptions(options));
  return {
    trainable: result.trainable,
    metric: data.metric,
    test: result.test[data.metric] ?? Number.NaN,
    validation: result.validation[data.metric] ?? Number.NaN,
    history: result.train.history,
    interrupted: result.train.interrupted,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** What finetune gets for one bench run. */
export function benchFinetuneOptions(options: BenchRunOptions): FinetuneOptions {
  const probe = options.method === 'probe';
  return {
    model: 'use-lite',
    method: options.method,
    r: options.r,
    alpha: options.alpha,
    epochs: probe ? options.probeEpochs : options.epochs,
    batchSize: options.batchSize,
    lr: options.lr,
    headLr: probe ? options.lr : options.headLr,
    warmupRatio: DEFAULTS.train.warmupRatio.value,
    maxGradNorm: options.maxGradNorm,
    // The training flags only when given, so a default run's options are what they always were.
    ...(options.clipPerGroup === undefined ? {} : { clipPerGroup: options.clipPerGroup }),
    ...(options.rInitStd === undefined ? {} : { rInitStd: options.rInitStd }),
    ...(options.magnitudeLr === undefined ? {} : { magnitudeLr: options.magnitudeLr }),
    ...(options.methodOptions === undefined ? {} : { methodOptions: options.methodOptions }),
    seed: options.seed,
    earlyStoppingPatience: options.earlyStoppingPatience,
    onProgress: (p) => options.onProgress?.(p.step, p.totalSteps),
    shouldStop: options.shouldStop,
  };
}

export async function runBench(options: BenchOptions): Promise<BenchRow[]> {
  const rows = new Map<FinetuneMethod, BenchRow>(
    options.methods.map((m) => [
      m,
      {
        method: m,
        trainable: 0,
        scores: {},
        validation: {},
        average: 0,
        validationAverage: 0,
        seconds: 0,
        ratioToLora: null,
      },
    ]),
  );
  for (const taskName of options.tasks) {
    const data = options.loadTask(taskName);
    for (const method of options.methods) {
      options.onRunStart?.(taskName, method);
      const result = await benchRun(data, {
        method,
        r: options.r,
        alpha: options.alpha,
        epochs: options.epochs,
        probeEpochs: options.probeEpochs,
        batchSize: options.batchSize,
        lr: methodValue(options.lr, method, 'runBench: lr'),
        headLr: options.headLr,
        maxGradNorm: methodValue(
          options.maxGradNorm ?? DEFAULT_MAX_GRAD_NORM,
          method,
          'runBench: maxGradNorm',
        ),
        clipPerGroup: options.clipPerGroup,
        rInitStd: options.rInitStd,
        magnitudeLr: options.magnitudeLr,
        methodOptions: optionsFor(findMethod(method), options.methodOptions ?? {}),
        seed: options.seed,
        onProgress: (step, total) => options.onProgress?.(taskName, method, step, total),
      });
      const row = rows.get(method)!;
      // Trainable parameters differ per task only through the head (labels × 513).
      row.trainable = Math.max(row.trainable, result.trainable);
      row.scores[taskName] = { metric: data.metric, value: result.test };
      row.validation[taskName] = { metric: data.metric, value: result.validation };
      row.seconds += result.seconds;
      options.onRunEnd?.(taskName, method, data.metric, result.test, result.seconds);
    }
  }
  const mean = (scores: BenchRow['scores']): number => {
    const values = Object.values(scores).map((s) => s.value);
    return values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
  };
  for (const row of rows.values()) {
    row.average = mean(row.scores);
    row.validationAverage = mean(row.validation);
  }
  return withLoraRatios([...rows.values()]);
}

/** The rows with ratioToLora set from the LoRA row among them (null for all without one). */
export function withLoraRatios(rows: BenchRow[]): BenchRow[] {
  const lora = rows.find((r) => r.method === 'lora');
  return rows.map((r) => ({
    ...r,
    ratioToLora: lora && lora.trainable > 0 ? r.trainable / lora.trainable : null,
  }));
}

export function benchTable(rows: BenchRow[], tasks: string[]): string {
  const header = ['method', 'trainable', 'vs LoRA', ...tasks, 'average', 'val avg', 'time'];
  const body = rows.map((r) => [
    r.method,
    r.trainable.toLocaleString('en-US'),
    r.ratioToLora === null ? '—' : `${formatLoraRatio(r.ratioToLora)} LoRA`,
    ...tasks.map((t) => {
      const s = r.scores[t];
      return s
        ? `${(100 * s.value).toFixed(1)} ${s.metric === 'accuracy' ? 'acc' : s.metric}`
        : '-';
    }),
    (100 * r.average).toFixed(1),
    (100 * r.validationAverage).toFixed(1),
    `${r.seconds.toFixed(0)} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
