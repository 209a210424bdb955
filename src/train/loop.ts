/**
 * The training loop: mini-batches in a seeded order, gradient accumulation,
 * AdamW with an adapter group and a head group, linear warmup and decay,
 * gradient clipping, evaluation every epoch keeping the best adapter,
 * optional early stopping, and resumable checkpoints.
 *
 * Exact resume: the batch order of epoch e is a pure function of (seed, e),
 * so a checkpoint only records where in the epoch it stopped; the adapter,
 * the optimizer state and the step are restored from it bit for bit.
 */

import { mul } from '../autograd/ops/elementwise.js';
import { crossEntropy, mseLoss } from '../autograd/ops/loss.js';
import { reshape } from '../autograd/ops/shape.js';
import { backward, noGrad } from '../autograd/tape.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Example } from '../data/types.js';
import { replaceDir } from '../io/replace-dir.js';
import type { Module } from '../nn/module.js';
import type { PeftModel } from '../peft/model.js';
import { savePeftAdapter } from '../peft/save.js';
import { tensor } from '../tensor/create.js';
import { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  copyValues,
  loadCheckpoint,
  readBestValues,
  restoreGenerators,
  restoreValues,
  saveCheckpoint,
  type TensorValues,
  type TrainState,
} from './checkpoint.js';
import { seriesDir } from './checkpoint-series.js';
import { clipGradNorm, clipGradNormPerGroup, gradNorm } from './clip.js';
import { computeMetrics } from './metrics.js';
import { AdamW } from './optimizer.js';
import { adapterAndHead, paramGroups } from './param-groups.js';
import {
  checkResumeSettings,
  type ResumeSettings,
  type SettingChanges,
} from './resume-settings.js';
import { linearWarmupDecay, warmupSteps } from './schedule.js';

/** A labelled text: the data layer's Example, under the loop's older name (kept for the API). */
export type LabelledText = Example;

/** What the loop trains: a module PEFT wraps, and how to get logits from texts. */
export interface ClassifierTask {
  module: Module;
  /** Number of classes; 1 means regression (MSE on the single output). */
  numLabels: number;
  logits(examples: readonly Example[]): Tensor;
  /** Tokens in the batch last given to `logits` (for tokens/s; optional). */
  lastTokenCount?: () => number;
}

export interface TrainOptions {
  epochs: number;
  /** Stop after this many optimizer steps (overrides epochs when set). */
  maxSteps?: number;
  batchSize: number;
  gradientAccumulation?: number;
  /** Learning rate of the adapter's tensors. */
  lr: number;
  /** Learning rate of modulesToSave (the head); default lr. */
  headLr?: number;
  /**
   * The modules trained at headLr (default: every modulesToSave module). Full
   * fine-tuning saves the whole model as modulesToSave and names the head here.
   */
  headModules?: string[];
  weightDecay?: number;
  /** Default DEFAULTS.train.warmupRatio (0.06). */
  warmupRatio?: number;
  /** Clip the global gradient norm (0 = off). Default 1. */
  maxGradNorm?: number;
  /**
   * Clip the adapter's gradient norm and the head's each to maxGradNorm,
   * instead of one global norm (so R's large gradient cannot starve the head).
   */
  clipPerGroup?: boolean;
  /** Learning rate of the DoRA family's magnitude vectors; default lr. */
  magnitudeLr?: number;
  seed: number;
  /** Metric that picks the best epoch (default: the first of computeMetrics' keys for the task). */
  metric: string;
  /** Stop when the metric has not improved for this many evaluations. */
  earlyStoppingPatience?: number;
  /** Where the best adapter and the resumable checkpoint go (none: keep in memory only). */
  outputDir?: string;
  /** Save a resumable checkpoint every this many optimizer steps (and at each epoch end). */
  checkpointEvery?: number;
  /**
   * Also keep each checkpoint's adapter (PEFT format) in
   * outputDir/checkpoints/step-N/: the series `edora analyze` reads.
   */
  keepCheckpoints?: boolean;
  /** Continue from outputDir/checkpoint. */
  resume?: boolean;
  /**
   * The method's name, recorded in checkpoints so that a resume with another
   * one is refused by name (default: the active adapter's method).
   */
  method?: string;
  /**
   * Resume even if the batch size, gradient accumulation or learning rates
   * differ from the checkpoint's (the changes go to onLog's resume record).
   */
  overrideResume?: boolean;
  /** Called once every check has passed (and a checkpoint is restored), before the first step. */
  onStart?: () => void;
  /** At the end, put back the trainable tensors of the best evaluation (default true, as HF's load_best_model_at_end). */
  loadBestAtEnd?: boolean;
  evalBatchSize?: number;
  onProgress?: (p: TrainProgress) => void;
  onLog?: (record: Record<string, unknown>) => void;
  /** Polled between steps and before each evaluation: true saves a checkpoint and returns early (Ctrl-C). */
  shouldStop?: () => boolean;
}

export interface TrainProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  examplesPerSecond: number;
  /** Tokens per second, when the task counts tokens (else 0). */
  tokensPerSecond: number;
  etaSeconds: number;
}

export interface EpochRecord {
  epoch: number;
  step: number;
  trainLoss: number;
  metrics: Record<string, number>;
}

export interface TrainResult {
  history: EpochRecord[];
  best: { metric: string; value: number; epoch: number; step: number } | null;
  steps: number;
  interrupted: boolean;
  seconds: number;
}

function lossOf(task: ClassifierTask, logits: Tensor, examples: readonly Example[]): Tensor {
  if (task.numLabels === 1) {
    const target = tensor(
      examples.map((e) => e.label),
      [examples.length],
    );
    return mseLoss(reshape(logits, [examples.length]), target);
  }
  return crossEntropy(logits, Int32Array.from(examples.map((e) => e.label)));
}

/** Predictions (class index, or score for regression) and metrics on `examples`. */
export function evaluate(
  task: ClassifierTask,
  examples: readonly Example[],
  batchSize: number = DEFAULTS.train.evalBatchSize.value,
): { metrics: Record<string, number>; predictions: number[]; loss: number } {
  const predictions: number[] = [];
  let lossSum = 0;
  const wasTraining = task.module.training;
  task.module.eval();
  try {
    noGrad(() => {
      for (let i = 0; i < examples.length; i += batchSize) {
        const batch = examples.slice(i, i + batchSize);
        const logits = task.logits(batch);
        lossSum += lossOf(task, logits, batch).item() * batch.length;
        const v = logits.toArray();
        const c = task.numLabels;
        for (let r = 0; r < batch.length; r++) {
          if (c === 1) predictions.push(v[r]!);
          else {
            let best = 0;
            for (let j = 1; j < c; j++) if (v[r * c + j]! > v[r * c + best]!) best = j;
            predictions.push(best);
          }
        }
      }
    });
  } finally {
    task.module.train(wasTraining);
  }
  const gold = examples.map((e) => e.label);
  const metrics =
    examples.length === 0
      ? {}
      : computeMetrics(
          task.numLabels === 1 ? 'regression' : 'classification',
          predictions,
          gold,
          task.numLabels,
        );
  return { metrics, predictions, loss: examples.length ? lossSum / examples.length : Number.NaN };
}

/** The batch order of one epoch: a pure function of (seed, epoch). */
export function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  return new Random(seed * 1000003 + epoch).permutation(n);
}

/** Let timers, signals (Ctrl-C) and progress redraws run between steps. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The loop's sizes from the batch settings, each checked. */
function stepPlan(
  options: TrainOptions,
  examples: number,
): { batchSize: number; accum: number; batchesPerEpoch: number; totalSteps: number } {
  const accum = options.gradientAccumulation ?? DEFAULTS.train.gradientAccumulation.value;
  const batchSize = options.batchSize;
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new Error(`train: batchSize must be a positive integer, got ${batchSize}`);
  if (!(Number.isInteger(accum) && accum > 0))
    throw new Error(`train: gradientAccumulation must be a positive integer, got ${accum}`);
  if (examples === 0) throw new Error('train: the training set is empty');
  const batchesPerEpoch = Math.ceil(examples / batchSize);
  const stepsPerEpoch = Math.ceil(batchesPerEpoch / accum);
  const totalSteps = options.maxSteps ?? options.epochs * stepsPerEpoch;
  return { batchSize, accum, batchesPerEpoch, totalSteps };
}

/** Where a new run starts. */
function freshState(seed: number): TrainState {
  return {
    step: 0,
    epoch: 0,
    batchInEpoch: 0,
    rng: new Random(seed).getState(),
    bestMetric: null,
    bestStep: null,
    history: [],
  };
}

/** The settings a resume of this run must share, recorded in its checkpoints. */
function resumeSettings(options: TrainOptions, peft: PeftModel, accum: number): ResumeSettings {
  return {
    method:
      options.method ??
      (peft.activeAdapter === null ? 'none' : peft.configs.get(peft.activeAdapter)!.method),
    batchSize: options.batchSize,
    gradientAccumulation: accum,
    lr: options.lr,
    headLr: options.headLr ?? options.lr,
  };
}

/** The checkpoint's state, restored into the model and the optimizer once its settings agree. */
function resumeRun(
  checkpointDir: string | null,
  peft: PeftModel,
  optimizer: AdamW,
  settings: ResumeSettings,
  options: TrainOptions,
): TrainState {
  if (!checkpointDir) throw new Error('train: resume needs outputDir');
  let changes: SettingChanges = {};
  const state = loadCheckpoint(checkpointDir, peft, optimizer, (saved) => {
    changes = checkResumeSettings(
      checkpointDir,
      saved.settings,
      settings,
      options.overrideResume ?? false,
    );
  });
  // Where the log continues from: its records past this point are the
  // interrupted run's, not this one's.
  options.onLog?.({
    type: 'resume',
    step: state.step,
    evaluations: state.history.length,
    ...(Object.keys(changes).length > 0 ? { overrides: changes } : {}),
  });
  return state;
}

/** The evaluation with the highest `metric` so far, or null. */
function bestRecord(history: readonly EpochRecord[], metric: string): EpochRecord | null {
  return history.reduce<EpochRecord | null>(
    (b, r) =>
      r.metrics[metric] !== undefined && (b === null || r.metrics[metric]! > b.metrics[metric]!)
        ? r
        : b,
    null,
  );
}

export async function train(
  task: ClassifierTask,
  peft: PeftModel,
  data: { train: readonly Example[]; validation: readonly Example[] },
  options: TrainOptions,
): Promise<TrainResult> {
  const start = performance.now();
  const { batchSize, accum, batchesPerEpoch, totalSteps } = stepPlan(options, data.train.length);
  const warmup = warmupSteps(totalSteps, options.warmupRatio ?? DEFAULTS.train.warmupRatio.value);
  const maxGradNorm = options.maxGradNorm ?? DEFAULTS.train.maxGradNorm.value;
  const optimizer = new AdamW(
    paramGroups(peft, {
      lr: options.lr,
      headLr: options.headLr ?? options.lr,
      magnitudeLr: options.magnitudeLr,
      weightDecay: options.weightDecay ?? DEFAULTS.train.weightDecay.value,
      headModules: options.headModules,
    }),
  );
  const trainable = peft.trainableParameters().map(([, t]) => t);
  const split = adapterAndHead(peft, options.headModules);
  const clipGroups = [split.adapter, split.head].map((g) => g.map(([, t]) => t));
  const settings = resumeSettings(options, peft, accum);
  const checkpointDir = options.outputDir ? `${options.outputDir}/checkpoint` : null;
  const state = options.resume
    ? resumeRun(checkpointDir, peft, optimizer, settings, options)
    : freshState(options.seed);
  // The next checkpoints record this run's settings (overridden ones included).
  state.settings = settings;
  const history = state.history as EpochRecord[];
  let bestEpoch = bestRecord(history, options.metric);
  // A best evaluation before the interruption: its tensors are on disk.
  let bestValues: TensorValues | null =
    options.resume && state.bestStep !== null && options.outputDir
      ? readBestValues(`${options.outputDir}/best`, peft, trainable)
      : null;
  // Every generator the forward pass draws from (dropout in the model or the
  // adapters): saved with each checkpoint so a resumed run draws the same masks.
  const generators = collectGenerators(task.module, peft);
  if (options.resume) restoreGenerators(generators, state.rngs);
  const save = (): void => {
    if (!checkpointDir) return;
    state.rngs = Object.fromEntries([...generators].map(([k, r]) => [k, r.getState()]));
    saveCheckpoint(checkpointDir, peft, optimizer, state);
    if (options.keepCheckpoints && options.outputDir)
      replaceDir(seriesDir(options.outputDir, state.step), (tmp) => savePeftAdapter(peft, tmp));
  };

  options.onStart?.();
  task.module.train();
  let lossSum = 0;
  let lossCount = 0;
  let interrupted = false;
  let sinceImprovement = 0;
  let examplesSeen = 0;
  let tokensSeen = 0;
  const loopStart = performance.now();

  outer: while (state.step < totalSteps) {
    const order = epochOrder(data.train.length, options.seed, state.epoch);
    for (let b = state.batchInEpoch; b < batchesPerEpoch; b += accum) {
      if (options.shouldStop?.()) {
        state.batchInEpoch = b;
        save();
        interrupted = true;
        break outer;
      }
      let stepLoss = 0;
      // Each batch's mean loss counts for its share of the group's examples, so
      // that the step is the one a single batch of batchSize × accum takes, a
      // short last group (fewer batches, or a last batch not full) included.
      const groupSize = Math.min((b + accum) * batchSize, data.train.length) - b * batchSize;
      for (let k = 0; k < accum && b + k < batchesPerEpoch; k++) {
        const idx = order.subarray(
          (b + k) * batchSize,
          Math.min((b + k + 1) * batchSize, data.train.length),
        );
        const batch = Array.from(idx, (i) => data.train[i]!);
        const loss = lossOf(task, task.logits(batch), batch);
        const share = batch.length / groupSize;
        backward(share < 1 ? mul(loss, share) : loss);
        stepLoss += loss.item() * share;
        examplesSeen += batch.length;
        tokensSeen += task.lastTokenCount?.() ?? 0;
      }
      // The norm is taken with clipping off too: a NaN must stop the run either way.
      const norm =
        maxGradNorm <= 0
          ? gradNorm(trainable)
          : options.clipPerGroup
            ? clipGradNormPerGroup(clipGroups, maxGradNorm)
            : clipGradNorm(trainable, maxGradNorm);
      if (!Number.isFinite(norm)) {
        throw new Error(
          `train: the gradient norm is ${norm} at step ${state.step + 1} (loss ${stepLoss}); lower the learning rate`,
        );
      }
      const factor = linearWarmupDecay(state.step, totalSteps, warmup);
      optimizer.groups.forEach((g, i) => {
        optimizer.setLr(i, g.baseLr * factor);
      });
      optimizer.step();
      optimizer.zeroGrad();
      state.step++;
      // The method's own schedule (a rank budget, pruning), if it has one.
      peft.afterStep({ step: state.step, totalSteps, epoch: state.epoch });
      state.batchInEpoch = b + accum;
      lossSum += stepLoss;
      lossCount++;
      const elapsed = (performance.now() - loopStart) / 1000;
      const rate = examplesSeen / Math.max(elapsed, 1e-9);
      options.onProgress?.({
        step: state.step,
        totalSteps,
        epoch: state.epoch,
        loss: stepLoss,
        examplesPerSecond: rate,
        tokensPerSecond: tokensSeen / Math.max(elapsed, 1e-9),
        etaSeconds: ((totalSteps - state.step) * batchSize * accum) / Math.max(rate, 1e-9),
      });
      options.onLog?.({
        type: 'step',
        step: state.step,
        epoch: state.epoch,
        loss: stepLoss,
        lr: optimizer.groups[0]?.lr,
        gradNorm: norm,
      });
      if (options.checkpointEvery && state.step % options.checkpointEvery === 0) save();
      await yieldToEventLoop();
      if (state.step >= totalSteps) break;
    }
    // A stop asked for during the epoch's last step comes before its
    // evaluation, which can be long: the resumed run evaluates instead.
    if (state.step < totalSteps && options.shouldStop?.()) {
      save();
      interrupted = true;
      break;
    }
    // End of an epoch (or of the step budget): evaluate, keep the best, checkpoint.
    peft.afterEpoch({ step: state.step, totalSteps, epoch: state.epoch });
    const { metrics } = evaluate(task, data.validation, options.evalBatchSize);
    const record: EpochRecord = {
      epoch: state.epoch,
      step: state.step,
      trainLoss: lossCount ? lossSum / lossCount : Number.NaN,
      metrics,
    };
    history.push(record);
    options.onLog?.({ type: 'eval', ...record });
    lossSum = 0;
    lossCount = 0;
    const value = metrics[options.metric];
    // A NaN metric (e.g. a correlation with constant predictions) never counts as best.
    if (
      value !== undefined &&
      Number.isFinite(value) &&
      (bestEpoch === null || value > bestEpoch.metrics[options.metric]!)
    ) {
      bestEpoch = record;
      bestValues = copyValues(trainable);
      sinceImprovement = 0;
      state.bestMetric = value;
      state.bestStep = state.step;
      if (options.outputDir) savePeftAdapter(peft, `${options.outputDir}/best`);
    } else {
      sinceImprovement++;
    }
    state.epoch++;
    state.batchInEpoch = 0;
    save();
    if (
      options.earlyStoppingPatience !== undefined &&
      sinceImprovement >= options.earlyStoppingPatience
    )
      break;
  }
  if ((options.loadBestAtEnd ?? true) && bestValues && !interrupted)
    restoreValues(trainable, bestValues);
  task.module.eval();
  return {
    history,
    best: bestEpoch
      ? {
          metric: options.metric,
          value: bestEpoch.metrics[options.metric]!,
          epoch: bestEpoch.epoch,
          step: bestEpoch.step,
        }
      : null,
    steps: state.step,
    interrupted,
    seconds: (performance.now() - start) / 1000,
  };
}

/** The Random instances held by the model's modules and the adapters, by a stable key. */
function collectGenerators(module: Module, peft: PeftModel): Map<string, Random> {
  const out = new Map<string, Random>();
  const seen = new Set<Random>();
  const scan = (owner: object, prefix: string): void => {
    for (const [prop, value] of Object.entries(owner)) {
      if (value instanceof Random && !seen.has(value)) {
        seen.add(value);
        out.set(`${prefix}#${prop}`, value);
      }
    }
  };
  for (const [path, m] of module.namedModules()) scan(m, path);
  for (const [path, adapter] of peft.adapters()) scan(adapter, `${path}@adapter`);
  return out;
}
