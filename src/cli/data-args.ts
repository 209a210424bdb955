/** The data flags shared by `train`, `eval` and `bench`, and parsing them into a task. */
import type { Command } from 'commander';
import { BUILTIN_TASKS } from '../data/builtin/index.js';
import { loadTaskData, type TaskDataOptions } from '../data/task-data.js';
import type { TaskData } from '../data/types.js';
import { positiveInt } from './options.js';

/** The data flags as commander gives them: TaskDataOptions with the numbers still text. */
export interface DataOptions extends Omit<TaskDataOptions, 'maxTrain' | 'maxEval'> {
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

/** The task the data flags describe; the numbers are parsed here, the rest in loadTaskData. */
export function taskDataFromFlags(opts: DataOptions): TaskData {
  const maxTrain =
    opts.maxTrain === undefined ? undefined : positiveInt('--max-train', opts.maxTrain);
  const maxEval = opts.maxEval === undefined ? undefined : positiveInt('--max-eval', opts.maxEval);
  return loadTaskData({ ...opts, maxTrain, maxEval });
}
