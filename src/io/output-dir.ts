/**
 * Writing a whole output directory atomically: files go into a temporary
 * sibling directory that is renamed into place at the end, so a failure
 * leaves nothing under the real name.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** An output directory may be missing or empty; anything else is refused (nothing is replaced). */
export function checkOutputDir(out: string): void {
  const target = resolve(out);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new Error(`${out}: output directory exists and is not empty`);
  }
}

export function writeDirAtomic(out: string, fill: (tmpDir: string) => void): void {
  checkOutputDir(out);
  const target = resolve(out);
  let tmp: string;
  try {
    tmp = mkdtempSync(join(dirname(target), `.${basename(target)}.tmp-`));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new Error(`${out}: cannot create the directory (${code})`);
  }
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
