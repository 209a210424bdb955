/**
 * `mkdir -p` that cannot hang. Node's mkdirSync(…, { recursive: true }) loops
 * forever when mkdir fails with ENOENT although the parent exists (as under
 * /proc/self); this creates the missing directories one at a time, and any
 * failure is one line naming the path.
 */
import { mkdirSync, type Stats, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function makeDir(path: string): void {
  const fail = (why: string): never => {
    throw new Error(`${path}: cannot create the directory (${why})`);
  };
  const stat = (p: string): Stats | undefined => {
    try {
      return statSync(p, { throwIfNoEntry: false });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A file further up: the walk reaches it and names it.
      if (code === 'ENOTDIR') return undefined;
      return fail(code ?? (e as Error).message);
    }
  };
  // Walk up to the nearest existing ancestor, then create downwards.
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    const st = stat(p);
    if (st !== undefined) {
      if (!st.isDirectory()) fail(`${p} exists and is not a directory`);
      break;
    }
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Another process may have made it in the meantime.
      if (code === 'EEXIST' && stat(dir)?.isDirectory()) continue;
      fail(code ?? (e as Error).message);
    }
  }
}
