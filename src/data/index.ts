export { readArff } from './arff.js';
export { batches, padBatch, shuffled } from './batching.js';
export {
  BUILTIN_TASKS,
  type BuiltinTaskName,
  DEFAULT_TASKS,
  loadBuiltinTask,
} from './builtin/index.js';
export { readCsv } from './csv.js';
export { GLUE_TASKS, type GlueTaskName, readGlueTask } from './glue.js';
export { readJsonl } from './jsonl.js';
export { loadTaskData, type TaskDataOptions } from './task-data.js';
export type { Example, FieldOptions, Metric, ReadResult, TaskData } from './types.js';
