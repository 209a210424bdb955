/**
 * Reading a file the user named as input (training data, `--input`, a
 * config.json). It must be a regular file: a device such as /dev/zero never
 * ends and a pipe blocks, so both are refused before a byte is read. Its
 * lines and its size are bounded, so that a binary or runaway file fails
 * after a few megabytes with one line naming the file (and the line), not
 * after filling the memory.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** Longest line accepted: far above any text example, far below the memory. */
export const MAX_LINE_BYTES = 8 * 2 ** 20;
/** Largest file accepted: the whole file becomes one string, and V8 caps strings near 512 Mi characters. */
export const MAX_INPUT_BYTES = 500 * 2 ** 20;

export interface ReadInputOptions {
  /** How errors name the file (default: the path), e.g. `--input data.txt`. */
  name?: string;
  maxLineBytes?: number;
  maxBytes?: number;
  /** Bytes per read (tests use small values to cross chunk boundaries). */
  chunkBytes?: number;
}

export function readInputFile(path: string, options: ReadInputOptions = {}): Buffer {
  const name = options.name ?? path;
  const maxLine = options.maxLineBytes ?? MAX_LINE_BYTES;
  const maxBytes = options.maxBytes ?? MAX_INPUT_BYTES;
  const chunkBytes = options.chunkBytes ?? 2 ** 20;
  let fd: number;
  try {
    // O_NONBLOCK: opening a pipe without a writer would otherwise wait forever.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code;
    throw new Error(`${name}: cannot read (${why ?? String(e)})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`${name}: not a regular file (${fileKind(st)})`);
    if (st.size > maxBytes) throw tooLarge(name, maxBytes);
    // Read straight into one buffer sized from the file (one byte more, to see
    // the end), grown only if the file grows or does not know its size (/proc).
    let out = Buffer.allocUnsafe(st.size + 1);
    let total = 0;
    let line = 1;
    let lineBytes = 0;
    for (;;) {
      if (total === out.length) {
        const grown = Buffer.allocUnsafe(Math.min(Math.max(2 * total, 65536), maxBytes + 1));
        out.copy(grown, 0, 0, total);
        out = grown;
      }
      const n = readSync(fd, out, total, Math.min(chunkBytes, out.length - total), null);
      if (n === 0) break;
      const chunk = out.subarray(total, total + n);
      total += n;
      if (total > maxBytes) throw tooLarge(name, maxBytes);
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        lineBytes += (nl === -1 ? n : nl) - start;
        if (lineBytes > maxLine) {
          throw new Error(
            `${name}:${line}: line longer than ${formatBytes(maxLine)}; is this a text file?`,
          );
        }
        if (nl === -1) break;
        line++;
        lineBytes = 0;
        start = nl + 1;
      }
    }
    return out.subarray(0, total);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new Error(`${name}: cannot read (${code})`);
    throw e;
  } finally {
    closeSync(fd);
  }
}

function tooLarge(name: string, maxBytes: number): Error {
  return new Error(`${name}: larger than ${formatBytes(maxBytes)}; split it into smaller files`);
}

/** What a file that is not a regular file is, for error messages. */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a pipe';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

/** 4096 → "4 KiB", 8388608 → "8 MiB", 4000 → "3.9 KiB". */
export function formatBytes(n: number): string {
  const [value, unit] = n >= 2 ** 20 ? [n / 2 ** 20, 'MiB'] : [n / 1024, 'KiB'];
  return `${Number(value.toFixed(1))} ${unit}`;
}
