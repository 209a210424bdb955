/**
 * What a study runs. Per task × method × rank (a "cell"), every grid point
 * (adapter and head learning rate) runs on the selection seeds; the point
 * with the best validation metric then runs on every seed. Each run is
 * identified by its complete settings (its key), which is what makes a
 * study resumable: a finished run is looked up, never repeated.
 */
import { optionsFor } from '../../adapters/options.js';
import { findMethod, METHOD_NAMES } from '../../adapters/registry.js';
import { DEFAULT_CONFIG } from '../../adapters/types.js';
import type { FinetuneMethod } from '../finetune.js';
import { hasMagnitude, hasR } from '../method-traits.js';

/** The budget of every run: the same for every method, so the comparison is fair. */
export interface StudyBudget {
  epochs: number;
  /** Epochs of the linear probe (it trains on cached embeddings, so many are cheap). */
  probeEpochs: number;
  batchSize: number;
  alpha: number;
  /** Training examples per task (a deterministic subsample). */
  maxTrain: number;
  /** Validation and test examples per task. */
  maxEval: number;
  /** Stop a run after this many evaluations without improvement (null: run every epoch). */
  earlyStopping: number | null;
}

export interface StudySettings {
  tasks: string[];
  methods: FinetuneMethod[];
  seeds: number[];
  /** How many of the first seeds choose the grid point (their mean validation metric). */
  selectSeeds: number;
  ranks: number[];
  /** Adapter learning rates to search, per method. */
  lrGrid: Record<string, number[]>;
  /** Head learning rates to search, per method (the probe has none: its head is its adapter). */
  headLrGrid: Record<string, number[]>;
  /** Gradient clipping per method (0 = off). */
  maxGradNorm: Record<string, number>;
  /** Clip the adapter's and the head's gradient norms separately (where clipping is on). */
  clipPerGroup?: boolean;
  /** σ of R's initialisation for EDoRA and LoRA-XS (default DEFAULT_CONFIG.rInitStd). */
  rInitStd?: number;
  /** Learning rate of the magnitude vectors of DoRA and EDoRA (default: the run's lr). */
  magnitudeLr?: number;
  /** Methods' own settings (`--option`); each method gets those it declares. */
  methodOptions?: Readonly<Record<string, unknown>>;
  budget: StudyBudget;
}

/** One run's complete settings, in a fixed order: JSON of it is the run's key. */
export interface RunSpec {
  task: string;
  method: FinetuneMethod;
  r: number | null;
  lr: number;
  headLr: number | null;
  seed: number;
  epochs: number;
  batchSize: number;
  alpha: number | null;
  maxTrain: number;
  maxEval: number;
  maxGradNorm: number;
  earlyStopping: number | null;
  /*
   * The fields below are present only away from their default, so that the
   * key of a run at the default settings is the one it had before they
   * existed, and a resumed study finds its finished runs.
   */
  /** Per-group clipping (only when on and clipping is on). */
  clipPerGroup?: true;
  /** σ(R) (only for EDoRA and LoRA-XS, when not DEFAULT_CONFIG.rInitStd). */
  rInitStd?: number;
  /** The magnitude's learning rate (only for DoRA and EDoRA, when not lr). */
  magnitudeLr?: number;
  /** The method's own settings given (only those it declares, only when some are given). */
  options?: Record<string, unknown>;
}

export interface Cell {
  task: string;
  method: FinetuneMethod;
  /** null for the methods without a rank (the probe; full fine-tuning). */
  r: number | null;
}

export interface GridPoint {
  lr: number;
  headLr: number | null;
}

/** The adapter methods have a rank; the probe and full fine-tuning do not. */
export function hasRank(method: FinetuneMethod): boolean {
  return (METHOD_NAMES as readonly string[]).includes(method);
}

/** Every method but the probe trains its head with a learning rate of its own. */
export function hasHeadLr(method: FinetuneMethod): boolean {
  return method !== 'probe';
}

/** Task by task (one task's data in memory at a time), then method, then rank. */
export function studyCells(s: StudySettings): Cell[] {
  return s.tasks.flatMap((task) =>
    s.methods.flatMap((method): Cell[] =>
      hasRank(method) ? s.ranks.map((r) => ({ task, method, r })) : [{ task, method, r: null }],
    ),
  );
}

export function gridPoints(s: StudySettings, method: FinetuneMethod): GridPoint[] {
  const lrs = s.lrGrid[method];
  const heads = hasHeadLr(method) ? s.headLrGrid[method] : [null];
  if (!lrs?.length || !heads?.length)
    throw new Error(`study: no learning-rate grid for '${method}'`);
  return lrs.flatMap((lr) => heads.map((headLr) => ({ lr, headLr })));
}

export function selectionSeeds(s: StudySettings): number[] {
  return s.seeds.slice(0, s.selectSeeds);
}

export function runSpec(s: StudySettings, cell: Cell, point: GridPoint, seed: number): RunSpec {
  const b = s.budget;
  const rank = hasRank(cell.method);
  const maxGradNorm = s.maxGradNorm[cell.method] ?? 1;
  const spec: RunSpec = {
    task: cell.task,
    method: cell.method,
    r: cell.r,
    lr: point.lr,
    headLr: point.headLr,
    seed,
    epochs: cell.method === 'probe' ? b.probeEpochs : b.epochs,
    batchSize: b.batchSize,
    alpha: rank ? b.alpha : null,
    maxTrain: b.maxTrain,
    maxEval: b.maxEval,
    maxGradNorm,
    earlyStopping: b.earlyStopping,
  };
  if (s.clipPerGroup && maxGradNorm > 0) spec.clipPerGroup = true;
  if (s.rInitStd !== undefined && s.rInitStd !== DEFAULT_CONFIG.rInitStd && hasR(cell.method))
    spec.rInitStd = s.rInitStd;
  if (s.magnitudeLr !== undefined && s.magnitudeLr !== point.lr && hasMagnitude(cell.method))
    spec.magnitudeLr = s.magnitudeLr;
  const own = optionsFor(findMethod(cell.method), s.methodOptions ?? {});
  if (Object.keys(own).length > 0) spec.options = own;
  return spec;
}

export function runKey(spec: RunSpec): string {
  return JSON.stringify(spec);
}

/** Runs in the whole study: the search on the selection seeds, then the chosen point on the others. */
export function plannedRunCount(s: StudySettings): number {
  const select = selectionSeeds(s).length;
  return studyCells(s).reduce(
    (n, cell) => n + gridPoints(s, cell.method).length * select + (s.seeds.length - select),
    0,
  );
}

/** A short name of a run for progress lines. */
export function describeRun(spec: RunSpec): string {
  const rate = (x: number): string => x.toExponential().replace('e+0', '');
  return [
    spec.task,
    spec.r === null ? spec.method : `${spec.method} r=${spec.r}`,
    `lr ${rate(spec.lr)}`,
    ...(spec.headLr === null ? [] : [`head ${rate(spec.headLr)}`]),
    ...(spec.magnitudeLr === undefined ? [] : [`magnitude ${rate(spec.magnitudeLr)}`]),
    ...(spec.rInitStd === undefined ? [] : [`σ(R) ${rate(spec.rInitStd)}`]),
    ...(spec.clipPerGroup ? [`clip ${spec.maxGradNorm} per group`] : []),
    ...Object.entries(spec.options ?? {}).map(([k, v]) => `${k} ${v}`),
    `seed ${spec.seed}`,
  ].join(' · ');
}
