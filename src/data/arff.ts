import { LabelMap } from './labels.js';
import { readTextFile, splitLines } from './text-file.js';
import type { ReadResult } from './types.js';

/** An ARFF attribute: its name and, for nominal ones, the declared values in order. */
interface Attribute {
  name: string;
  type: string; // 'numeric' | 'string' | 'nominal' | 'date' | …
  values: string[] | null;
}

/**
 * Reads a dense ARFF file (Weka's format): `@attribute` declarations, then
 * `@data` rows of comma-separated values, quoted with ' or " and backslash
 * escapes as Weka writes them. A nominal label attribute gives the label map
 * in its declared order; otherwise the labels are collected and sorted.
 */
export function readArff(path: string, options: { text: string; label: string }): ReadResult {
  const lines = splitLines(readTextFile(path));
  const attributes: Attribute[] = [];
  let dataLine = -1;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('%')) continue;
    const where = `${path}:${i + 1}`;
    const lower = line.toLowerCase();
    if (lower.startsWith('@relation')) continue;
    if (lower.startsWith('@attribute')) {
      attributes.push(parseAttribute(line.slice('@attribute'.length).trim(), where));
      continue;
    }
    if (lower.startsWith('@data')) {
      dataLine = i + 1;
      break;
    }
    throw new Error(`${where}: expected @relation, @attribute or @data, got ${clip(line)}`);
  }
  if (dataLine < 0) throw new Error(`${path}: no @data section`);
  const names = attributes.map((a) => a.name);
  const found = names.map((n) => JSON.stringify(n)).join(', ');
  const textIndex = names.indexOf(options.text);
  if (textIndex < 0) {
    throw new Error(`${path}: no text attribute '${options.text}' (attributes found: ${found})`);
  }
  const labelIndex = names.indexOf(options.label);
  if (labelIndex < 0) {
    throw new Error(`${path}: no label attribute '${options.label}' (attributes found: ${found})`);
  }
  const rows: { text: string; label: string; where: string }[] = [];
  for (let i = dataLine; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('%')) continue;
    const where = `${path}:${i + 1}`;
    if (line.startsWith('{')) throw new Error(`${where}: sparse ARFF rows are not supported`);
    const values = splitValues(line, where);
    if (values.length !== attributes.length) {
      throw new Error(
        `${where}: ${values.length} values where ${attributes.length} attributes are declared`,
      );
    }
    const text = values[textIndex]!;
    const label = values[labelIndex]!;
    if (label.missing || label.value === '') {
      throw new Error(`${where}: missing label (attribute '${options.label}')`);
    }
    rows.push({ text: text.missing ? '' : text.value, label: label.value, where });
  }
  if (rows.length === 0) throw new Error(`${path}: no data rows`);
  const declared = attributes[labelIndex]!.values;
  const map =
    declared !== null
      ? new LabelMap(declared, `${path}: attribute '${options.label}'`)
      : LabelMap.collect(
          rows.map((r) => r.label),
          path,
        );
  return {
    examples: rows.map((r) => ({ text: r.text, label: map.lookup(r.label, r.where) })),
    labels: map.names,
  };
}

function parseAttribute(rest: string, where: string): Attribute {
  const { value: name, end } = readToken(rest, 0, where, /\s/);
  const type = rest.slice(end).trim();
  if (name === '' || type === '') throw new Error(`${where}: malformed @attribute declaration`);
  if (type.startsWith('{')) {
    if (!type.endsWith('}')) throw new Error(`${where}: unterminated nominal value list`);
    const values = splitValues(type.slice(1, -1), where).map((v) => v.value);
    return { name, type: 'nominal', values };
  }
  return { name, type: type.split(/\s+/)[0]!.toLowerCase(), values: null };
}

/** Splits one line of comma-separated ARFF values; `?` unquoted is a missing value. */
function splitValues(line: string, where: string): { value: string; missing: boolean }[] {
  const out: { value: string; missing: boolean }[] = [];
  let i = 0;
  for (;;) {
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    const quoted = line[i] === "'" || line[i] === '"';
    const { value, end } = readToken(line, i, where, /,/);
    out.push({ value, missing: !quoted && value === '?' });
    i = end;
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= line.length) break;
    if (line[i] !== ',') throw new Error(`${where}: expected ',' at column ${i + 1}`);
    i++;
  }
  return out;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r' };

/** Reads a quoted (with Weka's backslash escapes) or bare token starting at `start`. */
function readToken(
  s: string,
  start: number,
  where: string,
  stop: RegExp,
): { value: string; end: number } {
  const q = s[start];
  if (q === "'" || q === '"') {
    let value = '';
    for (let i = start + 1; i < s.length; i++) {
      const c = s[i]!;
      if (c === '\\' && i + 1 < s.length) {
        const n = s[++i]!;
        value += ESCAPES[n] ?? n;
      } else if (c === q) {
        return { value, end: i + 1 };
      } else {
        value += c;
      }
    }
    throw new Error(`${where}: unterminated quoted value`);
  }
  let end = start;
  while (end < s.length && !stop.test(s[end]!)) end++;
  return { value: s.slice(start, end).trim(), end };
}

function clip(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}
