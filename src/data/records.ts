import { LabelMap } from './labels.js';
import type { Example, FieldOptions, ReadResult } from './types.js';

/** One record of a CSV or JSONL file: its fields as strings, and where it came from. */
export interface RawRecord {
  where: string; // file:line
  get(field: string): string | undefined;
  /** The field names this record has, for error messages. */
  fields: string[];
}

function missing(r: RawRecord, what: string, field: string): Error {
  const found = r.fields.map((f) => JSON.stringify(f)).join(', ');
  return new Error(`${r.where}: no ${what} field '${field}' (fields found: ${found})`);
}

/**
 * Turns records into examples with the text / pair / label fields named in
 * `options`. A label that is missing or empty is an error naming file:line;
 * so is one outside an explicit label map.
 */
export function recordsToExamples(
  records: RawRecord[],
  options: FieldOptions,
  source: string,
): ReadResult {
  const rows: { text: string; textPair?: string; label: string; where: string }[] = [];
  for (const r of records) {
    const text = r.get(options.text);
    if (text === undefined) throw missing(r, 'text', options.text);
    const label = r.get(options.label);
    if (label === undefined || label.trim() === '') {
      throw new Error(`${r.where}: missing label (field '${options.label}')`);
    }
    const row: { text: string; textPair?: string; label: string; where: string } = {
      text,
      label: label.trim(),
      where: r.where,
    };
    if (options.textPair !== undefined) {
      const pair = r.get(options.textPair);
      if (pair === undefined) throw missing(r, 'text-pair', options.textPair);
      row.textPair = pair;
    }
    rows.push(row);
  }
  if (rows.length === 0) throw new Error(`${source}: no records`);
  const map =
    options.labels !== undefined
      ? new LabelMap(options.labels, `${source}: labels`)
      : LabelMap.collect(
          rows.map((r) => r.label),
          source,
        );
  const examples = rows.map((r): Example => {
    const e: Example = { text: r.text, label: map.lookup(r.label, r.where) };
    if (r.textPair !== undefined) e.textPair = r.textPair;
    return e;
  });
  return { examples, labels: map.names };
}
