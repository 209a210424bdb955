/** Reading JSON files: every failure is one line naming the file. */
import { readInputFile } from './input-file.js';

/**
 * JSON.parse's message on one line: V8 quotes the text around the error,
 * newlines included, and an error message must stay one line.
 */
export function jsonErrorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ');
}

export function readJsonFile(path: string): unknown {
  const text = readInputFile(path).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${jsonErrorText(e)})`);
  }
}
