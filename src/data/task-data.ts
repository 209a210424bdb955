/**
 * A task's data from one description: a built-in task, a GLUE task
 * directory, or your own CSV / JSONL files, cut to size. The library call
 * behind the data flags of `edora train`, `eval` and `bench` (the CLI parses
 * the flags into these options); the messages name the flags, which share
 * these options' names.
 */
import { shuffled } from './batching.js';
import { BUILTIN_TASKS, type BuiltinTaskName, loadBuiltinTask } from './builtin/index.js';
import { readCsv } from './csv.js';
import { GLUE_TASKS, type GlueTaskName, readGlueTask } from './glue.js';
import { readJsonl } from './jsonl.js';
import type { Example, FieldOptions, Metric, ReadResult, TaskData } from './types.js';

export interface TaskDataOptions {
  /** A built-in task (default 'spam'), or with `glue` a GLUE task name. */
  task?: string;
  /** A GLUE task directory (train.tsv, dev.tsv). */
  glue?: string;
  /** Your own training data (.csv or .jsonl); `validation` and `test` need it. */
  train?: string;
  validation?: string;
  test?: string;
  /** Fields of your own files (default 'text', no pair, 'label'). */
  text?: string;
  textPair?: string;
  label?: string;
  /** Main metric of your own data: accuracy (default), f1 or mcc. */
  metric?: string;
  /** At most this many training examples (a deterministic subsample). */
  maxTrain?: number;
  /** At most this many validation and this many test examples. */
  maxEval?: number;
}

function readFile(path: string, fields: FieldOptions): ReadResult {
  if (path.endsWith('.jsonl') || path.endsWith('.json')) return readJsonl(path, fields);
  if (path.endsWith('.csv')) return readCsv(path, fields);
  throw new Error(`${path}: expected a .csv or .jsonl file`);
}

/** At most n items: a deterministic random subsample (seed 0), in the file's order. */
function take(items: Example[], n: number | undefined): Example[] {
  if (n === undefined || items.length <= n) return items;
  const keep = new Set(shuffled([...items.keys()], 0).slice(0, n));
  return items.filter((_, i) => keep.has(i));
}

export function loadTaskData(opts: TaskDataOptions): TaskData {
  const { maxTrain, maxEval } = opts;
  // Without train they would be ignored, and the built-in spam task trained instead.
  if (!opts.train && (opts.validation || opts.test))
    throw new Error(
      '--validation and --test need --train (your own training data); --task and --glue bring their own splits',
    );
  let data: TaskData;
  if (opts.train) {
    if (opts.task || opts.glue) throw new Error('--train cannot be combined with --task or --glue');
    const fields: FieldOptions = { text: opts.text ?? 'text', label: opts.label ?? 'label' };
    if (opts.textPair) fields.textPair = opts.textPair;
    const train = readFile(opts.train, fields);
    const withLabels = { ...fields, labels: train.labels };
    const validation = opts.validation ? readFile(opts.validation, withLabels).examples : [];
    const test = opts.test ? readFile(opts.test, withLabels).examples : [];
    const metric = opts.metric ?? 'accuracy';
    if (!['accuracy', 'f1', 'mcc'].includes(metric))
      throw new Error(`--metric must be accuracy, f1 or mcc, got '${metric}'`);
    data = {
      name: opts.train,
      labels: train.labels,
      metric: metric as Metric,
      train: train.examples,
      validation,
      test,
      description: `${opts.train}: ${train.examples.length} training examples`,
    };
  } else if (opts.glue) {
    if (!opts.task || !GLUE_TASKS.includes(opts.task as GlueTaskName)) {
      throw new Error(`--glue needs --task with a GLUE task name (${GLUE_TASKS.join(', ')})`);
    }
    data = readGlueTask(opts.glue, opts.task as GlueTaskName);
  } else {
    const task = opts.task ?? 'spam';
    if (!BUILTIN_TASKS.includes(task as BuiltinTaskName)) {
      throw new Error(
        `--task: unknown built-in task '${task}' (expected ${BUILTIN_TASKS.join(', ')}; or use --glue / --train)`,
      );
    }
    // A built-in task reads only what it keeps.
    return loadBuiltinTask(task as BuiltinTaskName, {
      maxPerSplit: { train: maxTrain, validation: maxEval, test: maxEval },
    });
  }
  return {
    ...data,
    train: take(data.train, maxTrain),
    validation: take(data.validation, maxEval),
    test: take(data.test, maxEval),
  };
}
