/**
 * `edora study`: does a method's advantage survive several seeds and a fair
 * choice of learning rates? Per task × method × rank, a learning-rate grid
 * (adapter and head) is searched on the first seed(s) by the validation
 * metric alone; the chosen point then runs on every seed, and the report
 * gives mean ± sample std, EDoRA against each other method paired by seed,
 * a trade-off chart and learning curves.
 *
 * Every finished run is saved under `<out>/runs/` as it ends, keyed by its
 * complete settings: a study stopped at any point (Ctrl-C, a crash) runs
 * again with the same command and redoes nothing it had finished.
 */
import type { TaskData } from '../data/types.js';
import { type BenchRunResult, benchRun } from './bench.js';
import {
  type GridPoint,
  gridPoints,
  plannedRunCount,
  type RunSpec,
  runKey,
  runSpec,
  type StudySettings,
  selectionSeeds,
  studyCells,
} from './study/plan.js';
import { writeStudyReport } from './study/report.js';
import { type CellResult, cellResult, pairedRows, type StudyResults } from './study/results.js';
import { chooseByValidation } from './study/select.js';
import { checkStudyDir, type RunRecord, RunStore } from './study/store.js';

export interface RunHooks {
  onProgress?: (step: number, total: number) => void;
  shouldStop?: () => boolean;
}

/** Performs one run; the study's default is `edora bench`'s run (USE-Lite, finetune()). */
export type StudyRunner = (
  data: TaskData,
  spec: RunSpec,
  hooks: RunHooks,
) => Promise<BenchRunResult>;

export const benchRunner: StudyRunner = (data, spec, hooks) =>
  benchRun(data, {
    method: spec.method,
    // The probe and full fine-tuning have no rank or alpha; benchRun ignores them there.
    r: spec.r ?? 1,
    alpha: spec.alpha ?? 16,
    epochs: spec.epochs,
    probeEpochs: spec.epochs,
    batchSize: spec.batchSize,
    lr: spec.lr,
    headLr: spec.headLr ?? spec.lr,
    maxGradNorm: spec.maxGradNorm,
    clipPerGroup: spec.clipPerGroup,
    rInitStd: spec.rInitStd,
    magnitudeLr: spec.magnitudeLr,
    ...(spec.options === undefined ? {} : { methodOptions: spec.options }),
    seed: spec.seed,
    earlyStoppingPatience: spec.earlyStopping ?? undefined,
    onProgress: hooks.onProgress,
    shouldStop: hooks.shouldStop,
  });

export interface StudyOptions {
  settings: StudySettings;
  /** The study's directory: runs/ (one file per finished run) and report/. */
  out: string;
  /** A task's data, subsampled to the budget's sizes. */
  loadTask: (name: string, limits: { maxTrain: number; maxEval: number }) => TaskData;
  runner?: StudyRunner;
  /** Before the first run: the study's run count and how many are already finished. */
  onStart?: (total: number, finished: number) => void;
  onRunStart?: (spec: RunSpec) => void;
  onRunProgress?: (step: number, total: number) => void;
  onRunEnd?: (record: RunRecord) => void;
  /** Polled between runs and between steps: true ends the study after saving what is finished. */
  shouldStop?: () => boolean;
}

export interface StudyOutcome {
  /** False when shouldStop ended it early: run it again to continue. */
  complete: boolean;
  /** Runs in the whole study. */
  total: number;
  /** Runs finished by earlier calls and found in `<out>/runs/`. */
  reused: number;
  /** Runs this call performed. */
  performed: number;
  /** The report's figures, when complete. */
  results: StudyResults | null;
  /** The report folder, when complete. */
  reportDir: string | null;
}

/** How many of the study's runs the store already holds (the choice follows where the search is complete). */
function finishedCount(s: StudySettings, store: RunStore): number {
  let n = 0;
  const select = selectionSeeds(s);
  for (const cell of studyCells(s)) {
    const grid = gridPoints(s, cell.method).map((point) =>
      select.map((seed) => store.get(runKey(runSpec(s, cell, point, seed)))),
    );
    n += grid.flat().filter(Boolean).length;
    if (!grid.flat().every(Boolean)) continue;
    const chosen = gridPoints(s, cell.method)[
      chooseByValidation(grid.map((runs) => runs.map((r) => r!.validation)))
    ]!;
    n += s.seeds
      .slice(select.length)
      .filter((seed) => store.get(runKey(runSpec(s, cell, chosen, seed)))).length;
  }
  return n;
}

export async function runStudy(options: StudyOptions): Promise<StudyOutcome> {
  const s = options.settings;
  if (s.selectSeeds < 1 || s.selectSeeds > s.seeds.length)
    throw new Error(
      `study: the grid is searched on 1 to ${s.seeds.length} seeds, got ${s.selectSeeds}`,
    );
  const runner = options.runner ?? benchRunner;
  checkStudyDir(options.out);
  const store = new RunStore(options.out);
  const total = plannedRunCount(s);
  const reused = finishedCount(s, store);
  options.onStart?.(total, reused);
  let performed = 0;
  const stopped = (): StudyOutcome => ({
    complete: false,
    total,
    reused,
    performed,
    results: null,
    reportDir: null,
  });

  // One task's data at a time: the cells come task by task, and a task is loaded only if it has runs to do.
  let loaded: { task: string; data: TaskData } | null = null;
  const dataOf = (task: string): TaskData => {
    if (loaded?.task !== task) {
      loaded = null;
      loaded = { task, data: options.loadTask(task, s.budget) };
    }
    return loaded.data;
  };

  /** The run's record: found in the store, or run now and saved; null when stopped. */
  const obtain = async (spec: RunSpec): Promise<RunRecord | null> => {
    const key = runKey(spec);
    const found = store.get(key);
    if (found) return found;
    if (options.shouldStop?.()) return null;
    const data = dataOf(spec.task);
    options.onRunStart?.(spec);
    let record: RunRecord;
    try {
      const r = await runner(data, spec, {
        onProgress: options.onRunProgress,
        shouldStop: options.shouldStop,
      });
      // Cut short: not a result. Nothing is saved and the run starts afresh next time.
      if (r.interrupted) return null;
      const { trainable, metric, test, validation, history, seconds } = r;
      record = { key, spec, trainable, metric, test, validation, history, seconds };
    } catch (e) {
      // A run that fails (a learning rate that diverges) is a finding of the search, kept as such.
      const error = e instanceof Error ? e.message : String(e);
      record = {
        key,
        spec,
        trainable: 0,
        metric: data.metric,
        test: Number.NaN,
        validation: Number.NaN,
        history: [],
        seconds: 0,
        error,
      };
    }
    store.put(record);
    performed++;
    options.onRunEnd?.(record);
    return record;
  };

  const cells: CellResult[] = [];
  for (const cell of studyCells(s)) {
    const grid: { point: GridPoint; runs: RunRecord[] }[] = [];
    for (const point of gridPoints(s, cell.method)) {
      const runs: RunRecord[] = [];
      for (const seed of selectionSeeds(s)) {
        const record = await obtain(runSpec(s, cell, point, seed));
        if (record === null) return stopped();
        runs.push(record);
      }
      grid.push({ point, runs });
    }
    const chosen = chooseByValidation(grid.map((g) => g.runs.map((r) => r.validation)));
    const runs: RunRecord[] = [];
    for (const seed of s.seeds) {
      const record = await obtain(runSpec(s, cell, grid[chosen]!.point, seed));
      if (record === null) return stopped();
      runs.push(record);
    }
    cells.push(cellResult(cell, grid, chosen, runs));
  }
  const results: StudyResults = {
    model: 'use-lite',
    settings: s,
    cells,
    paired: pairedRows(cells),
  };
  const reportDir = await writeStudyReport(options.out, results);
  return { complete: true, total, reused, performed, results, reportDir };
}
