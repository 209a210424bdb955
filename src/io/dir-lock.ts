/**
 * One run at a time per output directory: an exclusive lock file
 * `<dir>/edora.lock` naming its holder (pid, host, start time).
 *
 * The lock is written complete under a temporary name and linked into
 * place: link() fails when the name exists, so of two runs starting together
 * only one gets it, and nobody reads a half-written lock. A lock whose
 * process is no longer running on this host (killed, crashed) is stale and
 * is taken over; one from another host (a shared file system) never is, as
 * its pid means nothing here. release() removes the lock, and so does the
 * process's exit; after SIGKILL it stays behind until the next run takes it
 * over.
 */
import { existsSync, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makeDir } from './make-dir.js';
import { processAlive } from './process-alive.js';

export const LOCK_FILE = 'edora.lock';

export interface LockHolder {
  pid: number;
  host: string;
  started: string;
}

export interface DirLock {
  /** The lock file. */
  readonly path: string;
  /** Whether the directory was created for the lock (it did not exist). */
  readonly created: boolean;
  /** The holder of the stale lock this one replaced, or null. */
  readonly tookOver: LockHolder | null;
  /** Remove the lock, if it is still ours. */
  release(): void;
}

/** The holder named in a lock file; undefined when there is none; pid 0 when unreadable. */
function readHolder(path: string): LockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const o = JSON.parse(text) as Partial<LockHolder>;
    if (Number.isInteger(o.pid) && typeof o.host === 'string' && typeof o.started === 'string')
      return { pid: o.pid!, host: o.host, started: o.started };
  } catch {
    // not a lock edora wrote
  }
  return { pid: 0, host: hostname(), started: 'unknown' };
}

const same = (a: LockHolder | undefined, b: LockHolder): boolean =>
  a !== undefined && a.pid === b.pid && a.host === b.host && a.started === b.started;

/** Take the lock on `dir` (created if missing), or throw one line naming its holder. */
export function lockDir(dir: string): DirLock {
  const created = !existsSync(dir);
  makeDir(dir);
  const path = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  const tmp = join(dir, `.${LOCK_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(me)}\n`);
  let tookOver: LockHolder | null = null;
  try {
    // A few rounds at most: each one either takes the lock, refuses, or lost
    // a race to another run that changed the lock in between.
    for (let round = 0; ; round++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') throw new Error(`${path}: cannot create the lock (${code})`);
      }
      const holder = readHolder(path);
      if (holder === undefined) continue; // released meanwhile
      const elsewhere = holder.host !== me.host;
      if (elsewhere || processAlive(holder.pid) || round >= 8) {
        throw new Error(
          `${dir} is in use by another edora run (pid ${holder.pid}${elsewhere ? ` on ${holder.host}` : ''}, started ${holder.started}); wait for it to end, or use another --out`,
        );
      }
      // Stale. Move it aside under our own name, and check that what moved is
      // that stale lock, not one another run has just taken (put that back).
      const aside = join(dir, `.${LOCK_FILE}.stale-${process.pid}`);
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      const moved = readHolder(aside);
      if (!same(moved, holder)) {
        try {
          linkSync(aside, path);
        } catch {
          // someone took the free name meanwhile: they hold the lock
        }
      } else tookOver = holder;
      rmSync(aside, { force: true });
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  const release = (): void => {
    process.off('exit', release);
    if (same(readHolder(path), me)) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return { path, created, tookOver, release };
}
