/** The data options shared by `train`, `eval` and `bench`, and turning them into a task. */
import type { Command } from 'commander';
import { shuffled } from '../data/batching.js';
import { BUILTIN_TASKS, type BuiltinTaskName, loadBuiltinTask } from '../data/builtin/index.js';
import { readCsv } from '../data/csv.js';
import { GLUE_TASKS, type GlueTaskName, readGlueTask } from '../data/glue.js';
import { readJsonl } from '../data/jsonl.js';
import type { Example, FieldOptions, Metric, ReadResult, TaskData } from '../data/types.js';
import { positiveInt } from './options.js';

export interface DataOptions {
  task?: string;
  glue?: string;
  train?: string;
  validation?: string;
  test?: string;
  text?: string;
  textPair?: string;
  label?: string;
  metric?: string;
  maxTrain?: string;
  maxEval?: string;
}

export function dataOptions(cmd: Command): Command {
  return cmd
    .option(
      '--task <name>',
      `built-in task (${BUILTIN_TASKS.join(', ')}), or a GLUE task name with --glue`,
    )
    .option('--glue <dir>', 'a GLUE task directory (train.tsv, dev.tsv)')
    .option('--train <file>', 'your own training data (.csv or .jsonl)')
    .option('--validation <file>', 'your own validation data')
    .option('--test <file>', 'your own test data')
    .option('--text <field>', 'text field of --train/--validation/--test', 'text')
    .option('--text-pair <field>', 'second text field (sentence pairs)')
    .option('--label <field>', 'label field', 'label')
    .option('--metric <name>', 'main metric for your own data (accuracy, f1, mcc)', 'accuracy')
    .option('--max-train <n>', 'use at most n training examples (deterministic subsample)')
    .option('--max-eval <n>', 'use at most n validation and n test examples');
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

export function loadTaskData(opts: DataOptions): TaskData {
  const maxTrain =
    opts.maxTrain === undefined ? undefined : positiveInt('--max-train', opts.maxTrain);
  const maxEval = opts.maxEval === undefined ? undefined : positiveInt('--max-eval', opts.maxEval);
  // Without --train they would be ignored, and the built-in spam task trained instead.
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
    data = loadBuiltinTask(task as BuiltinTaskName, {
      maxPerSplit: { train: maxTrain, validation: maxEval, test: maxEval },
    });
    return data;
  }
  return {
    ...data,
    train: take(data.train, maxTrain),
    validation: take(data.validation, maxEval),
    test: take(data.test, maxEval),
  };
}
