import { type RawRecord, recordsToExamples } from './records.js';
import { readTextFile, splitLines } from './text-file.js';
import type { FieldOptions, ReadResult } from './types.js';

/**
 * Reads JSON Lines: one JSON object per non-blank line. Text fields must be
 * strings; a label may be a string, a number or a boolean (its text is the
 * class name).
 */
export function readJsonl(path: string, options: FieldOptions): ReadResult {
  const lines = splitLines(readTextFile(path));
  const records: RawRecord[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const where = `${path}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new Error(`${where}: bad JSON (${(e as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`${where}: expected a JSON object, got ${describe(value)}`);
    }
    const obj = value as Record<string, unknown>;
    for (const field of [options.text, options.textPair]) {
      if (field === undefined || !(field in obj)) continue;
      if (typeof obj[field] !== 'string') {
        throw new Error(`${where}: field '${field}' must be a string, got ${describe(obj[field])}`);
      }
    }
    const label = obj[options.label];
    if (label !== undefined && label !== null && typeof label === 'object') {
      throw new Error(
        `${where}: field '${options.label}' must be a string or a number, got ${describe(label)}`,
      );
    }
    records.push({
      where,
      fields: Object.keys(obj),
      get: (field) => {
        const v = obj[field];
        return v === undefined || v === null ? undefined : String(v);
      },
    });
  }
  return recordsToExamples(records, options, path);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}
