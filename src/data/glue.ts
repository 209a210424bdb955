import { join } from 'node:path';
import { LabelMap } from './labels.js';
import { readTextFile, splitLines } from './text-file.js';
import type { Example, Metric, TaskData } from './types.js';

export type GlueTaskName =
  | 'cola'
  | 'sst2'
  | 'mrpc'
  | 'qqp'
  | 'stsb'
  | 'mnli'
  | 'qnli'
  | 'rte'
  | 'wnli';

/** A column: a header name, or a 0-based position for CoLA's headerless files. */
type Column = string | number;

interface GlueLayout {
  text: Column;
  pair?: Column;
  label: Column;
  header: boolean;
  /** Class names by index (Hugging Face `glue` order); null for regression. */
  labels: string[] | null;
  /** How the file writes a label: its class index ('0', '1') or its class name. */
  coded: 'index' | 'name' | 'float';
  metric: Metric;
  dev: string;
}

/** The layouts of the GLUE distribution (download_glue_data.py), one per task. */
export const GLUE_LAYOUTS: Record<GlueTaskName, GlueLayout> = {
  // CoLA train/dev: no header; [source, label, original label or '*', sentence].
  cola: {
    text: 3,
    label: 1,
    header: false,
    labels: ['unacceptable', 'acceptable'],
    coded: 'index',
    metric: 'mcc',
    dev: 'dev.tsv',
  },
  sst2: {
    text: 'sentence',
    label: 'label',
    header: true,
    labels: ['negative', 'positive'],
    coded: 'index',
    metric: 'accuracy',
    dev: 'dev.tsv',
  },
  mrpc: {
    text: '#1 String',
    pair: '#2 String',
    label: 'Quality',
    header: true,
    labels: ['not_equivalent', 'equivalent'],
    coded: 'index',
    metric: 'f1',
    dev: 'dev.tsv',
  },
  qqp: {
    text: 'question1',
    pair: 'question2',
    label: 'is_duplicate',
    header: true,
    labels: ['not_duplicate', 'duplicate'],
    coded: 'index',
    metric: 'f1',
    dev: 'dev.tsv',
  },
  stsb: {
    text: 'sentence1',
    pair: 'sentence2',
    label: 'score',
    header: true,
    labels: null,
    coded: 'float',
    metric: 'pearson',
    dev: 'dev.tsv',
  },
  mnli: {
    text: 'sentence1',
    pair: 'sentence2',
    label: 'gold_label',
    header: true,
    labels: ['entailment', 'neutral', 'contradiction'],
    coded: 'name',
    metric: 'accuracy',
    dev: 'dev_matched.tsv',
  },
  qnli: {
    text: 'question',
    pair: 'sentence',
    label: 'label',
    header: true,
    labels: ['entailment', 'not_entailment'],
    coded: 'name',
    metric: 'accuracy',
    dev: 'dev.tsv',
  },
  rte: {
    text: 'sentence1',
    pair: 'sentence2',
    label: 'label',
    header: true,
    labels: ['entailment', 'not_entailment'],
    coded: 'name',
    metric: 'accuracy',
    dev: 'dev.tsv',
  },
  wnli: {
    text: 'sentence1',
    pair: 'sentence2',
    label: 'label',
    header: true,
    labels: ['not_entailment', 'entailment'],
    coded: 'index',
    metric: 'accuracy',
    dev: 'dev.tsv',
  },
};

export const GLUE_TASKS = Object.keys(GLUE_LAYOUTS) as GlueTaskName[];

/**
 * Reads one GLUE task from its folder: train.tsv and dev.tsv (MNLI:
 * dev_matched.tsv) as train and validation. GLUE's test.tsv has no labels, so
 * `test` is empty. Fields are split on tabs with no quote handling, as GLUE's
 * own loaders do (the sentences contain unbalanced quotes).
 */
export function readGlueTask(dir: string, task: GlueTaskName): TaskData {
  const layout = GLUE_LAYOUTS[task];
  if (layout === undefined) {
    throw new Error(
      `readGlueTask: unknown task '${task}' (expected one of ${GLUE_TASKS.join(', ')})`,
    );
  }
  const train = readGlueFile(join(dir, 'train.tsv'), layout);
  const validation = readGlueFile(join(dir, layout.dev), layout);
  return {
    name: task,
    labels: layout.labels === null ? null : [...layout.labels],
    metric: layout.metric,
    train,
    validation,
    test: [],
    description: `GLUE ${task} from ${dir}: train.tsv (${train.length}) as train, ${layout.dev} (${validation.length}) as validation; test.tsv has no labels, so no test split`,
  };
}

function readGlueFile(path: string, layout: GlueLayout): Example[] {
  const lines = splitLines(readTextFile(path));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let first = 0;
  let header: string[] = [];
  if (layout.header) {
    header = lines[0]!.split('\t').map((h) => h.trim());
    first = 1;
  }
  const found = header.map((h) => JSON.stringify(h)).join(', ');
  const position = (column: Column, what: string): number => {
    if (typeof column === 'number') return column;
    const i = header.indexOf(column);
    if (i < 0) throw new Error(`${path}: no ${what} column '${column}' (columns found: ${found})`);
    return i;
  };
  const textAt = position(layout.text, 'text');
  const pairAt = layout.pair === undefined ? -1 : position(layout.pair, 'text-pair');
  const labelAt = position(layout.label, 'label');
  const needed = Math.max(textAt, pairAt, labelAt) + 1;
  const map = layout.labels === null ? null : new LabelMap(layout.labels);
  const examples: Example[] = [];
  for (let i = first; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const where = `${path}:${i + 1}`;
    const fields = line.split('\t');
    if (fields.length < needed) {
      throw new Error(
        `${where}: ${fields.length} tab-separated fields, expected at least ${needed}`,
      );
    }
    const raw = fields[labelAt]!.trim();
    const labelName =
      typeof layout.label === 'number' ? `column ${layout.label + 1}` : layout.label;
    if (raw === '') throw new Error(`${where}: missing label (${labelName})`);
    const example: Example = { text: fields[textAt]!, label: decodeLabel(raw, layout, map, where) };
    if (pairAt >= 0) example.textPair = fields[pairAt]!;
    examples.push(example);
  }
  if (examples.length === 0) throw new Error(`${path}: no data rows`);
  return examples;
}

function decodeLabel(raw: string, layout: GlueLayout, map: LabelMap | null, where: string): number {
  if (layout.coded === 'float') {
    const v = Number(raw);
    if (!Number.isFinite(v))
      throw new Error(`${where}: score ${JSON.stringify(raw)} is not a number`);
    return v;
  }
  if (layout.coded === 'name') return map!.lookup(raw, where);
  const i = /^\d+$/.test(raw) ? Number(raw) : -1;
  if (!(i >= 0 && i < map!.names.length)) {
    throw new Error(
      `${where}: unknown label ${JSON.stringify(raw)} (expected ${map!.names.map((_, k) => k).join(' or ')})`,
    );
  }
  return i;
}
