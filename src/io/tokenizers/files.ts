/** Reading the tokenizer files of a model directory, with errors that name the file. */
import { existsSync, readFileSync, statSync } from 'node:fs';

export function fileExists(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: file not found`);
    throw new Error(`${path}: cannot read (${(e as Error).message})`);
  }
}

/** Parses a JSON file that must hold an object (every tokenizer file does). */
export function readJsonObject(path: string): Record<string, unknown> {
  const text = readText(path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: malformed JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${path}: expected a JSON object at the top level`);
  }
  return value as Record<string, unknown>;
}
