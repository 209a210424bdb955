/**
 * The series of adapters a run keeps with `keepCheckpoints` (`edora train
 * --keep-checkpoints`): `<out>/checkpoints/step-<N>/`, one PEFT-format
 * adapter per checkpoint, so that the run's path through weight space can be
 * analysed afterwards (`edora analyze`). The resumable checkpoint in
 * `<out>/checkpoint/` keeps only the latest.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const SERIES_DIR = 'checkpoints';
const STEP_NAME = /^step-(\d+)$/;

/** Where the adapter of the checkpoint at optimizer step `step` is kept. */
export function seriesDir(outputDir: string, step: number): string {
  return join(outputDir, SERIES_DIR, `step-${step}`);
}

export interface SeriesCheckpoint {
  step: number;
  dir: string;
}

/** The run's kept checkpoints in step order; one clear line when it kept none. */
export function listCheckpointSeries(runDir: string): SeriesCheckpoint[] {
  const base = join(runDir, SERIES_DIR);
  if (!existsSync(base) || !statSync(base).isDirectory())
    throw new Error(
      `${runDir}: no ${SERIES_DIR}/ directory (train the run with --out ${runDir} --keep-checkpoints)`,
    );
  const series = readdirSync(base)
    .map((name) => ({ name, m: STEP_NAME.exec(name) }))
    .filter(({ name, m }) => m !== null && statSync(join(base, name)).isDirectory())
    .map(({ name, m }) => ({ step: Number(m![1]), dir: join(base, name) }))
    .sort((a, b) => a.step - b.step);
  if (series.length === 0)
    throw new Error(`${base}: no step-<N>/ checkpoint directories (expected at least one)`);
  return series;
}
