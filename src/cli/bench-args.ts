/**
 * The flags `edora bench` and `edora study` share: which runs (tasks,
 * methods) and each run's budget, with their defaults from DEFAULTS.
 */
import type { Command } from 'commander';
import { DEFAULTS } from '../config/defaults.js';
import { BUILTIN_TASKS, type BuiltinTaskName, DEFAULT_TASKS } from '../data/builtin/index.js';
import { BENCH_METHODS } from '../workflows/bench.js';
import { type FinetuneMethod, finetuneMethod } from '../workflows/finetune.js';
import { withDefault } from './options.js';

/** The shared flags as commander hands them over. */
export interface BenchRunFlags {
  tasks: string;
  methods: string;
  maxTrain: string;
  maxEval: string;
  epochs: string;
  probeEpochs: string;
  batchSize: string;
  alpha: string;
}

export function benchRunFlags(cmd: Command): Command {
  const { bench, train } = DEFAULTS;
  cmd.option(
    '--tasks <names>',
    `comma-separated built-in tasks (${BUILTIN_TASKS.join(', ')})`,
    DEFAULT_TASKS.join(','),
  );
  withDefault(
    cmd,
    '--methods <names>',
    bench.methods,
    `${bench.methods.help} (${BENCH_METHODS.join(', ')})`,
  );
  withDefault(cmd, '--max-train <n>', bench.maxTrain);
  withDefault(cmd, '--max-eval <n>', bench.maxEval);
  withDefault(cmd, '--epochs <n>', bench.epochs);
  withDefault(cmd, '--probe-epochs <n>', bench.probeEpochs);
  withDefault(cmd, '--batch-size <n>', train.batchSize);
  withDefault(cmd, '--alpha <a>', train.alpha);
  return cmd;
}

/** A comma-separated list of distinct names, each checked by `check`. */
function nameList<T extends string>(
  flag: string,
  text: string,
  check: (flag: string, name: string) => T,
): T[] {
  const values = text.split(',').map((s) => check(flag, s.trim()));
  if (new Set(values).size !== values.length)
    throw new Error(`${flag}: each name once, got '${text}'`);
  return values;
}

export function taskList(flag: string, text: string): BuiltinTaskName[] {
  return nameList(flag, text, (where, name) => {
    if (!BUILTIN_TASKS.includes(name as BuiltinTaskName))
      throw new Error(`${where}: unknown task '${name}' (expected ${BUILTIN_TASKS.join(', ')})`);
    return name as BuiltinTaskName;
  });
}

export function methodList(flag: string, text: string): FinetuneMethod[] {
  return nameList(flag, text, finetuneMethod);
}
