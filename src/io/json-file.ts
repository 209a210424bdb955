/** Reading JSON files: every failure is one line naming the file. */
import { readFileSync } from 'node:fs';

/**
 * JSON.parse's message on one line: V8 quotes the text around the error,
 * newlines included, and an error message must stay one line.
 */
export function jsonErrorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ');
}

export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `${path}: no such file`
        : `${path}: cannot read (${code ?? (e as Error).message})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${jsonErrorText(e)})`);
  }
}
