/**
 * Parsing `edora study`'s lists: seeds, ranks and learning-rate grids, from
 * flags or from a JSON grid file. Each error names the flag or the file and
 * field at fault.
 */
import { readFileSync } from 'node:fs';
import { BENCH_METHODS } from '../workflows/bench.js';
import { type FinetuneMethod, finetuneMethod } from '../workflows/finetune.js';
import { positiveInt } from './options.js';

/** Learning rates to search, per method. */
export type Grid = Partial<Record<FinetuneMethod, number[]>>;

/** `3` means seeds 1, 2, 3; `1,5,9` means exactly those. */
export function parseSeeds(text: string): number[] {
  if (!text.includes(',')) {
    const n = positiveInt('--seeds', text);
    return Array.from({ length: n }, (_, i) => i + 1);
  }
  const seeds = text.split(',').map((s) => positiveInt('--seeds', s.trim(), true));
  if (new Set(seeds).size !== seeds.length)
    throw new Error(`--seeds: each seed once, got '${text}'`);
  return seeds;
}

/** A comma-separated list of distinct positive integers (ranks). */
export function positiveIntList(flag: string, text: string): number[] {
  const values = text.split(',').map((s) => positiveInt(flag, s.trim()));
  if (new Set(values).size !== values.length)
    throw new Error(`${flag}: each value once, got '${text}'`);
  return values;
}

function rates(where: string, values: unknown, source: string): number[] {
  if (!Array.isArray(values) || values.length === 0)
    throw new Error(`${where}: expected a non-empty list of learning rates, got ${source}`);
  return values.map((v) => {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0)
      throw new Error(`${where}: '${String(v)}' is not a positive learning rate`);
    return n;
  });
}

/** The same rates for every method. */
function everyMethod(values: number[]): Grid {
  return Object.fromEntries(BENCH_METHODS.map((m) => [m, values]));
}

/**
 * A grid flag: `1e-3,3e-3` (every method), or per method
 * `edora=1e-3,1e-2;lora=1e-4,1e-3` (the others keep their default).
 */
export function parseGrid(flag: string, text: string): Grid {
  if (!text.includes('=')) return everyMethod(rates(flag, text.split(','), `'${text}'`));
  const grid: Grid = {};
  for (const part of text.split(';').filter((p) => p.trim() !== '')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`${flag}: expected method=rate,rate,… in '${part}'`);
    const method = finetuneMethod(flag, part.slice(0, eq).trim());
    grid[method] = rates(flag, part.slice(eq + 1).split(','), `'${part}'`);
  }
  return grid;
}

/** One field of a grid file: a list (every method) or an object of lists per method. */
function gridField(path: string, field: string, value: unknown): Grid {
  if (Array.isArray(value)) return everyMethod(rates(`${path}: ${field}`, value, 'a list'));
  if (value === null || typeof value !== 'object')
    throw new Error(`${path}: ${field} must be a list of rates or an object of lists per method`);
  const grid: Grid = {};
  for (const [method, list] of Object.entries(value)) {
    finetuneMethod(`${path}: ${field}`, method);
    grid[method as FinetuneMethod] = rates(
      `${path}: ${field}.${method}`,
      list,
      JSON.stringify(list),
    );
  }
  return grid;
}

/** A JSON grid file: `{"lr": {"edora": [1e-3, 1e-2], …}, "headLr": [5e-2, 1e-1]}`. */
export function readGridFile(path: string): { lr: Grid; headLr: Grid } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${path}: cannot read the grid file (${code ?? (e as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new Error(`${path}: expected a JSON object with "lr" and/or "headLr"`);
  const unknown = Object.keys(raw).filter((k) => k !== 'lr' && k !== 'headLr');
  if (unknown.length > 0)
    throw new Error(`${path}: unknown field '${unknown[0]}' (expected "lr" and/or "headLr")`);
  const r = raw as { lr?: unknown; headLr?: unknown };
  return {
    lr: r.lr === undefined ? {} : gridField(path, 'lr', r.lr),
    headLr: r.headLr === undefined ? {} : gridField(path, 'headLr', r.headLr),
  };
}
