import { readInputFile } from '../io/input-file.js';

/**
 * Reads a user's input file as strict UTF-8, without a byte-order mark. The
 * file must be a regular file of bounded line length (readInputFile); a byte
 * sequence that is not UTF-8 is an error naming the file and the line. `name`
 * says how errors name the file (default: its path), e.g. `--input in.txt`.
 */
export function readUtf8File(path: string, name = path): string {
  const bytes = readInputFile(path, { name });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${name}:${firstInvalidUtf8Line(bytes)}: the line is not valid UTF-8`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads a whole text file as strict UTF-8 (readUtf8File). A missing, empty
 * or blank file is an error naming the file.
 */
export function readTextFile(path: string): string {
  const text = readUtf8File(path);
  if (text.trim() === '') throw new Error(`${path}: the file is empty`);
  return text;
}

/** The 1-based line holding the first byte that breaks UTF-8 (the decoder does not say where). */
function firstInvalidUtf8Line(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return line;
}

/** Splits text into lines, accepting \n and \r\n endings. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}
