/**
 * The finished runs of a study: one JSON file per run under `<out>/runs/`,
 * named by a hash of the run's key and written atomically, so a study
 * killed at any moment leaves only whole records behind. A run that was
 * interrupted leaves no record and starts again from scratch.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import type { EpochRecord } from '../../train/loop.js';
import type { RunSpec } from './plan.js';

export interface RunRecord {
  key: string;
  spec: RunSpec;
  trainable: number;
  metric: string;
  /** Test-split metric of the kept (best-validation) epoch; NaN when the run failed. */
  test: number;
  /** Validation-split metric of the kept epoch; NaN when the run failed. */
  validation: number;
  /** Every evaluation: the run's learning curve. */
  history: EpochRecord[];
  seconds: number;
  /** Why the run failed (e.g. a diverging learning rate), when it did. */
  error?: string;
}

export const RUNS_DIR = 'runs';

function fileName(key: string): string {
  return `${createHash('sha256').update(key).digest('hex').slice(0, 24)}.json`;
}

/** JSON has no NaN: a failed or undefined figure is stored as null and read back as NaN. */
function numberOrNaN(v: unknown): number {
  return typeof v === 'number' ? v : Number.NaN;
}

function parseRecord(path: string): RunRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not a study run record (${(e as Error).message})`);
  }
  const r = raw as Partial<RunRecord> | null;
  if (
    r === null ||
    typeof r !== 'object' ||
    typeof r.key !== 'string' ||
    typeof r.spec !== 'object' ||
    !Array.isArray(r.history)
  )
    throw new Error(`${path}: not a study run record (expected an object with key, spec, history)`);
  return { ...r, test: numberOrNaN(r.test), validation: numberOrNaN(r.validation) } as RunRecord;
}

export class RunStore {
  private readonly records = new Map<string, RunRecord>();
  private readonly dir: string;

  /** The run store of the study in `out` (its folder appears with the first record). */
  constructor(out: string) {
    this.dir = join(out, RUNS_DIR);
    if (!existsSync(this.dir)) return;
    // Dot files are the temporary names of writes a crash cut short.
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith('.') || !name.endsWith('.json')) continue;
      const record = parseRecord(join(this.dir, name));
      this.records.set(record.key, record);
    }
  }

  get size(): number {
    return this.records.size;
  }

  get(key: string): RunRecord | undefined {
    return this.records.get(key);
  }

  put(record: RunRecord): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(join(this.dir, fileName(record.key)), `${JSON.stringify(record, null, 2)}\n`);
    this.records.set(record.key, record);
  }
}

/** An existing non-empty directory that is not a study: refuse it rather than fill it. */
export function checkStudyDir(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new Error(`${out}: exists and is not a directory`);
  const entries = readdirSync(out);
  if (entries.length > 0 && !entries.includes(RUNS_DIR))
    throw new Error(
      `${out}: exists and is not a study directory (no ${RUNS_DIR}/ in it); give a new or empty directory, or an earlier study's`,
    );
}
