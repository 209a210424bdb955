/**
 * Writing a whole output directory atomically: files go into a temporary
 * sibling directory that is renamed into place at the end, so a failure
 * leaves nothing under the real name.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export function writeDirAtomic(out: string, fill: (tmpDir: string) => void): void {
  const target = resolve(out);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new Error(`${out}: output directory exists and is not empty`);
  }
  const tmp = mkdtempSync(join(dirname(target), `.${basename(target)}.tmp-`));
  // mkdtemp makes 0700; the result is an ordinary directory.
  chmodSync(tmp, 0o755);
  try {
    fill(tmp);
    if (existsSync(target)) rmSync(target, { recursive: true });
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    // Name the output the user asked for, not the temporary directory that is gone.
    if (e instanceof Error) e.message = e.message.replaceAll(tmp, target);
    throw e;
  }
}
