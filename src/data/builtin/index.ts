import type { TaskData } from '../types.js';
import { applyOptions, type BuiltinOptions, type BuiltTask } from './common.js';
import { buildEra } from './era.js';
import { buildGenre } from './genre.js';
import { buildGrain } from './grain.js';
import { buildImdb } from './imdb.js';
import { buildSpam } from './spam.js';

export type BuiltinTaskName = 'spam' | 'genre' | 'era' | 'grain' | 'imdb';
/** The tasks whose data installs with npm (the main job's default). */
export const DEFAULT_TASKS: BuiltinTaskName[] = ['spam', 'genre', 'era'];
/**
 * All built-in tasks; `grain` needs `npm run fetch:grain` first. `imdb` is
 * left out of the default until a study decides what the main job runs.
 */
export const BUILTIN_TASKS: BuiltinTaskName[] = ['spam', 'genre', 'era', 'grain', 'imdb'];

const builders: Record<BuiltinTaskName, () => BuiltTask> = {
  spam: buildSpam,
  genre: buildGenre,
  era: buildEra,
  grain: buildGrain,
  imdb: buildImdb,
};

/** Built tasks, kept for the life of the process: building reads and cleans the corpus. */
const cache = new Map<BuiltinTaskName, BuiltTask>();

/**
 * One of the built-in tasks, with its fixed split. `seed` (default 0) sets
 * the order of the examples within each split and the stratified subsample
 * taken when `maxPerSplit` caps a split; it never moves an example between
 * splits.
 */
export function loadBuiltinTask(name: BuiltinTaskName, options: BuiltinOptions = {}): TaskData {
  const build = builders[name];
  if (build === undefined) {
    throw new Error(
      `unknown built-in task '${name}' (expected one of ${BUILTIN_TASKS.join(', ')})`,
    );
  }
  let task = cache.get(name);
  if (task === undefined) {
    task = build();
    for (const split of [task.train, task.validation, task.test])
      for (const e of split) Object.freeze(e);
    cache.set(name, task);
  }
  return applyOptions(task, options);
}
