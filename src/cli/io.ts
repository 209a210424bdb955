/** Small file helpers for commands: every failure is one line naming the file. */
import { readInputFile } from '../io/input-file.js';

export function readJsonFile(path: string): unknown {
  const text = readInputFile(path).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}
