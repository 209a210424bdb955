/**
 * Used by every writer of edora files.
 *
 * Atomic file writes: write to a temporary name in the same directory, flush,
 * then rename over the target, so that a failure never leaves a half-written
 * file under the real name.
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileKind } from './input-file.js';

/** A writer handed to `withAtomicFile`'s callback: appends bytes to the temporary file. */
export type AppendBytes = (bytes: Uint8Array) => void;

/**
 * The write call withAtomicFile makes. Tests swap it to see what a full disk
 * (ENOSPC) does without filling one.
 */
export const atomicFileIo: { writeSync: typeof writeSync } = { writeSync };

/**
 * A file being written under a temporary name beside `path`: `append` adds
 * bytes, `commit` flushes and renames it into place, `abort` removes it. An
 * I/O failure becomes one line naming `path` and removes the temporary file.
 */
export interface AtomicFile {
  append: AppendBytes;
  commit(): void;
  abort(): void;
}

export function openAtomicFile(path: string): AtomicFile {
  // The rename would replace a device (as root, /dev/null itself) or fail on a directory.
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing !== undefined && !existing.isFile()) {
    throw new Error(`${path}: exists and is not a regular file (${fileKind(existing)})`);
  }
  const tmp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`,
  );
  let fd: number;
  try {
    fd = openSync(tmp, 'wx');
  } catch (err) {
    throw new Error(
      `${path}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  const abort = (): void => {
    if (fd >= 0) closeSync(fd);
    fd = -1;
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  };
  const guarded = (work: () => void): void => {
    try {
      work();
    } catch (err) {
      abort();
      const code = (err as NodeJS.ErrnoException).code;
      if (code) throw new Error(`${path}: cannot write (${code})`);
      throw err;
    }
  };
  return {
    append: (bytes) =>
      guarded(() => {
        let done = 0;
        while (done < bytes.length)
          done += atomicFileIo.writeSync(fd, bytes, done, bytes.length - done);
      }),
    commit: () =>
      guarded(() => {
        fsyncSync(fd);
        closeSync(fd);
        fd = -1;
        renameSync(tmp, path);
      }),
    abort,
  };
}

export function withAtomicFile(path: string, fill: (append: AppendBytes) => void): void {
  const file = openAtomicFile(path);
  try {
    fill(file.append);
  } catch (err) {
    file.abort();
    throw err;
  }
  file.commit();
}

/** Write a whole text file atomically. */
export function writeFileAtomic(path: string, text: string): void {
  withAtomicFile(path, (append) => append(Buffer.from(text, 'utf8')));
}
