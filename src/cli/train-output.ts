/**
 * The output directory of `edora train --out`: what edora writes there, when
 * it may write into a directory that already holds something, and what
 * `--overwrite` removes (edora's own entries, never a user's files).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE } from '../io/dir-lock.js';

/** What a run writes into --out: the loop's checkpoint and best adapter, the CLI's others. */
const RUN_ENTRIES = [
  'checkpoint',
  'checkpoints',
  'best',
  'adapter',
  'model',
  'report',
  'log.jsonl',
];

/** A run's entry, or a temporary leftover of one (`.checkpoint.tmp-…`, `.log.jsonl.….tmp`, …). */
const isRunEntry = (name: string): boolean =>
  RUN_ENTRIES.some((e) => name === e || name.startsWith(`.${e}.`));
const isLock = (name: string): boolean => name === LOCK_FILE || name.startsWith(`.${LOCK_FILE}.`);

/**
 * A run may start in `out` when it is empty (the lock aside), continue in it
 * with --resume, or replace an earlier run with --overwrite.
 */
export function checkOutputDir(out: string, mode: { resume: boolean; overwrite: boolean }): void {
  if (mode.resume || mode.overwrite || !existsSync(out)) return;
  if (readdirSync(out).some((n) => !isLock(n)))
    throw new Error(
      `${out} is not empty: add --resume to continue it, or --overwrite to start over`,
    );
}

/** --overwrite: remove what an earlier run wrote into `out`, and nothing else. */
export function removeEarlierRun(out: string): void {
  for (const name of readdirSync(out))
    if (isRunEntry(name)) rmSync(join(out, name), { recursive: true, force: true });
}
