/**
 * The label map of an adapter that trains a classification head:
 * `label_map.json` beside adapter_config.json, holding Hugging Face's
 * config.json fields `id2label` and `label2id`. Without it an adapter trained
 * on bad/good/meh would answer with the base checkpoint's label names.
 *
 * A file of its own rather than a field of adapter_config.json: PEFT (0.21)
 * drops unknown adapter_config fields with a warning to upgrade PEFT, and
 * edora's own reader refuses fields it does not know; a separate file is
 * ignored by both, and the PEFT files stay exactly what PEFT expects.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { readJsonFile } from '../io/json-file.js';

export const LABELS_FILE = 'label_map.json';

export function labelMapJson(labels: readonly string[]): Record<string, unknown> {
  return {
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
  };
}

/** Write `dir`/label_map.json (atomically). */
export function writeAdapterLabels(dir: string, labels: readonly string[]): void {
  checkNames(labels, 'writeAdapterLabels');
  writeFileAtomic(join(dir, LABELS_FILE), `${JSON.stringify(labelMapJson(labels), null, 2)}\n`);
}

/** The class names of `dir`/label_map.json by id, or null when the adapter has none. */
export function readAdapterLabels(dir: string): string[] | null {
  const file = join(dir, LABELS_FILE);
  if (!existsSync(file)) return null;
  const json = readJsonFile(file);
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    fail('expected a JSON object with id2label and label2id');
  const { id2label, label2id } = json as Record<string, unknown>;
  if (typeof id2label !== 'object' || id2label === null || Array.isArray(id2label))
    fail(`field 'id2label' must be an object mapping "0", "1", … to label names`);
  const entries = Object.entries(id2label as Record<string, unknown>);
  if (entries.length === 0) fail(`field 'id2label' must name at least one label`);
  const names = new Array<string>(entries.length);
  for (const [k, v] of entries) {
    if (!/^(0|[1-9]\d*)$/.test(k) || Number(k) >= entries.length)
      fail(`id2label key '${k}' must be an id in [0, ${entries.length})`);
    if (typeof v !== 'string') fail(`id2label['${k}'] must be a string, got ${JSON.stringify(v)}`);
    names[Number(k)] = v as string;
  }
  checkNames(names, file);
  if (label2id !== undefined) {
    const want = labelMapJson(names)['label2id'];
    if (JSON.stringify(sorted(label2id)) !== JSON.stringify(sorted(want)))
      fail(`field 'label2id' must be the inverse of id2label (${JSON.stringify(want)})`);
  }
  return names;
}

function checkNames(labels: readonly string[], where: string): void {
  const seen = new Set<string>();
  for (const l of labels) {
    if (seen.has(l)) throw new Error(`${where}: label ${JSON.stringify(l)} appears twice`);
    seen.add(l);
  }
}

function sorted(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
