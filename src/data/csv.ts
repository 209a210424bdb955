import { parse } from 'csv-parse/sync';
import { type RawRecord, recordsToExamples } from './records.js';
import { readTextFile } from './text-file.js';
import type { FieldOptions, ReadResult } from './types.js';

/**
 * Reads a CSV file with a header row (RFC 4180 quoting, through csv-parse;
 * records end at \r\n, \n or \r, mixed freely).
 * The columns named in `options` must appear in the header; a row with a
 * different number of fields than the header is an error naming its line.
 */
export function readCsv(path: string, options: FieldOptions): ReadResult {
  const text = readTextFile(path);
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, {
      info: true,
      // Any mix of line endings, as Python's csv reads them; left out, csv-parse
      // takes the first line's ending for the whole file and a CRLF header
      // over an LF body becomes one long record.
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  const head = rows[0];
  if (head === undefined) throw new Error(`${path}: the file is empty`);
  const columns = head.record.map((c) => c.trim());
  const found = columns.map((c) => JSON.stringify(c)).join(', ');
  for (const [what, name] of [
    ['text', options.text],
    ['text-pair', options.textPair],
    ['label', options.label],
  ] as const) {
    if (name !== undefined && !columns.includes(name)) {
      throw new Error(`${path}: no ${what} column '${name}' (columns found: ${found})`);
    }
  }
  if (rows.length === 1) throw new Error(`${path}: a header and no data rows`);
  const records: RawRecord[] = rows.slice(1).map(({ record, info }) => {
    const where = `${path}:${info.lines}`;
    if (record.length !== columns.length) {
      throw new Error(
        `${where}: ${record.length} fields where the header has ${columns.length} (${found})`,
      );
    }
    return { where, fields: columns, get: (field) => record[columns.indexOf(field)] };
  });
  return recordsToExamples(records, options, path);
}
