/**
 * Replacing a directory atomically, for checkpoints that are rewritten in
 * place during training.
 *
 * The new contents are written into a temporary sibling `.<name>.tmp-<pid>-…`;
 * only when it is complete does the old directory move aside to
 * `.<name>.old-<pid>-…`, the new one take its name, and the old one get
 * removed. A failure at any point leaves the previous directory under its
 * name. A crash (SIGKILL, power loss) between the two renames leaves only the
 * `.old-` copy: recoverDir() moves it back, and the next replaceDir() clears
 * leftovers of dead processes. One writer per directory is assumed.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { makeDir } from './make-dir.js';
import { processAlive } from './process-alive.js';

function leftovers(target: string, kind: 'tmp' | 'old'): { path: string; pid: number }[] {
  const parent = dirname(target);
  const prefix = `.${basename(target)}.${kind}-`;
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .filter((n) => n.startsWith(prefix))
    .map((n) => ({ path: join(parent, n), pid: Number.parseInt(n.slice(prefix.length), 10) }));
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false; // not mid-write: we are the caller
  return processAlive(pid);
}

/** Make a rename durable (best effort: not every platform can fsync a directory). */
function syncDir(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}

/**
 * If `dir` is missing but a crash left its previous contents under the
 * `.old-` name, move them back. Returns true when something was recovered.
 */
export function recoverDir(dir: string): boolean {
  const target = resolve(dir);
  if (existsSync(target)) return false;
  const olds = leftovers(target, 'old').filter((o) => !alive(o.pid));
  if (olds.length === 0) return false;
  olds.sort((a, b) => statSync(b.path).mtimeMs - statSync(a.path).mtimeMs);
  renameSync(olds[0]!.path, target);
  syncDir(dirname(target));
  return true;
}

/** Fill a fresh temporary directory, then put it in place of `dir` (created or replaced). */
export function replaceDir(dir: string, fill: (tmpDir: string) => void): void {
  const target = resolve(dir);
  const parent = dirname(target);
  makeDir(parent);
  recoverDir(target);
  for (const l of [...leftovers(target, 'tmp'), ...leftovers(target, 'old')])
    if (!alive(l.pid)) rmSync(l.path, { recursive: true, force: true });
  const tmp = mkdtempSync(join(parent, `.${basename(target)}.tmp-${process.pid}-`));
  // mkdtemp makes 0700; the result is an ordinary directory.
  chmodSync(tmp, 0o755);
  let old: string | null = null;
  try {
    fill(tmp);
    syncDir(tmp);
    if (existsSync(target)) {
      const prefix = `.${basename(target)}.`;
      old = join(parent, `${prefix}old-${basename(tmp).slice(prefix.length + 'tmp-'.length)}`);
      renameSync(target, old);
    }
    renameSync(tmp, target);
  } catch (e) {
    if (old !== null && !existsSync(target)) renameSync(old, target);
    rmSync(tmp, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code && !(e as Error).message.includes(dir))
      throw new Error(`${dir}: cannot write (${code})`);
    throw e;
  }
  syncDir(parent);
  if (old !== null) rmSync(old, { recursive: true, force: true });
}
