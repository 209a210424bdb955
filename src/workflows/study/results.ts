/**
 * A finished study's figures: per cell (task × method × rank) the grid
 * search, the chosen point and its runs over every seed with mean ± sample
 * std; per task, EDoRA against each other method, paired by seed.
 */
import type { EpochRecord } from '../../train/loop.js';
import type { FinetuneMethod } from '../finetune.js';
import type { Cell, GridPoint, StudySettings } from './plan.js';
import { mean, type PairedComparison, pairedT, sampleStd } from './statistics.js';
import type { RunRecord } from './store.js';

export interface Summary {
  mean: number;
  /** Sample standard deviation (n − 1); NaN for n < 2. */
  std: number;
  /** Runs that produced a figure (a failed run does not count). */
  n: number;
}

export interface CellResult extends Cell {
  metric: string;
  trainable: number;
  /** Each grid point with its mean validation metric on the selection seeds. */
  grid: (GridPoint & { validation: number })[];
  chosen: GridPoint;
  /** The chosen point's run on every seed. */
  runs: {
    seed: number;
    test: number;
    validation: number;
    history: EpochRecord[];
    error?: string;
  }[];
  test: Summary;
  validation: Summary;
}

export interface PairedRow extends PairedComparison {
  task: string;
  metric: string;
  /** EDoRA's rank. */
  r: number | null;
  against: FinetuneMethod;
  againstR: number | null;
}

export interface StudyResults {
  model: 'use-lite';
  settings: StudySettings;
  cells: CellResult[];
  /** EDoRA minus each other method of the same task (and rank, where both have one). */
  paired: PairedRow[];
}

export function summarize(values: readonly number[]): Summary {
  const ok = values.filter(Number.isFinite);
  return { mean: mean(ok), std: sampleStd(ok), n: ok.length };
}

/** One cell's result from its grid search and the chosen point's runs. */
export function cellResult(
  cell: Cell,
  grid: { point: GridPoint; runs: RunRecord[] }[],
  chosen: number,
  runs: RunRecord[],
): CellResult {
  return {
    ...cell,
    metric: runs[0]?.metric ?? grid[0]?.runs[0]?.metric ?? '',
    trainable: Math.max(0, ...runs.map((r) => r.trainable)),
    grid: grid.map((g) => ({ ...g.point, validation: mean(g.runs.map((r) => r.validation)) })),
    chosen: grid[chosen]!.point,
    runs: runs.map((r) => ({
      seed: r.spec.seed,
      test: r.test,
      validation: r.validation,
      history: r.history,
      ...(r.error === undefined ? {} : { error: r.error }),
    })),
    test: summarize(runs.map((r) => r.test)),
    validation: summarize(runs.map((r) => r.validation)),
  };
}

/**
 * EDoRA minus every other cell of the same task, over the seeds where both
 * have a figure. Methods with ranks are compared at the same rank; one
 * without (the probe) against every EDoRA rank.
 */
export function pairedRows(cells: readonly CellResult[]): PairedRow[] {
  const rows: PairedRow[] = [];
  for (const e of cells.filter((c) => c.method === 'edora')) {
    for (const o of cells) {
      if (o.task !== e.task || o.method === 'edora') continue;
      if (o.r !== null && o.r !== e.r) continue;
      const theirs = new Map(o.runs.map((r) => [r.seed, r.test]));
      const pairs = e.runs
        .filter((r) => Number.isFinite(r.test) && Number.isFinite(theirs.get(r.seed) ?? Number.NaN))
        .map((r) => [r.test, theirs.get(r.seed)!] as const);
      rows.push({
        task: e.task,
        metric: e.metric,
        r: e.r,
        against: o.method,
        againstR: o.r,
        ...pairedT(
          pairs.map((p) => p[0]),
          pairs.map((p) => p[1]),
        ),
      });
    }
  }
  return rows;
}
